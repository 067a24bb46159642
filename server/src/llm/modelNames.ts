import { normaliseModelName } from '../config/modelSettings';

/** True if a model name from a server's list is the configured one (a missing tag means `latest`). */
export function isSameModel(a: string, b: string): boolean {
  return normaliseModelName(a) === normaliseModelName(b);
}
