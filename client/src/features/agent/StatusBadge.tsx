import type { ConversationStatus } from '@aisle/shared';
import { STATUS_LABELS } from './format';

/** A conversation's state; "waiting for a person" stands out because someone should act on it. */
export function StatusBadge({ status }: { status: ConversationStatus }) {
  return <span className={`status-badge status-${status}`}>{STATUS_LABELS[status]}</span>;
}
