import type { Experiments } from '@aisle/shared';
import type { LoadedConfig } from '../config/loadConfig';
import type { ExperimentRepository } from '../db/experimentRepository';

/**
 * The dashboard's model experiments: every experiment that served answers, with figures per arm, and
 * the one running now (read from the config each time, so a hot reload shows at once). The running
 * experiment is listed first even before it has served anything.
 */
export function createExperimentReport(deps: { experiments: ExperimentRepository; config: () => LoadedConfig }) {
  return async function experimentReport(): Promise<Experiments> {
    const names = await deps.experiments.names();
    const current = deps.config().config.experiment;
    if (current && !names.includes(current.name)) names.unshift(current.name);
    return {
      current: current ? { name: current.name, candidate: current.candidate, share: current.share } : null,
      experiments: await Promise.all(names.map(async (name) => ({ name, arms: await deps.experiments.compareArms(name) }))),
    };
  };
}

export type ExperimentReport = ReturnType<typeof createExperimentReport>;
