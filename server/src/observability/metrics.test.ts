import { describe, expect, it } from 'vitest';
import { createMetrics, type QueueFigures } from './metrics';

describe('createMetrics', () => {
  it('reads the queue figures at every scrape, per host, and records queue waits', async () => {
    let figures: QueueFigures = { queued: { gpu: 3, local: 0 }, oldestWaitMs: 2500 };
    const metrics = createMetrics({ queueStats: async () => figures, processMetrics: false });
    metrics.queueWaited({ host: 'gpu', waitedMs: 1200 });
    let text = await metrics.render();
    expect(text).toContain('aisle_queue_depth{host="gpu"} 3');
    expect(text).toContain('aisle_queue_depth{host="local"} 0');
    expect(text).toContain('aisle_queue_oldest_wait_seconds 2.5');
    expect(text).toContain('aisle_queue_wait_seconds_bucket{le="2",host="gpu"} 1');

    figures = { queued: {}, oldestWaitMs: 0 };
    text = await metrics.render();
    // A host that no longer waits drops out; the empty line still shows a 0.
    expect(text).not.toContain('aisle_queue_depth{host="gpu"}');
    expect(text).toContain('aisle_queue_depth{host="none"} 0');
    expect(text).toContain('aisle_queue_oldest_wait_seconds 0');
  });

  it('keeps two apps apart: each has its own registry', async () => {
    const a = createMetrics({ processMetrics: false });
    const b = createMetrics({ processMetrics: false });
    a.searchPerformed({ origin: 'model', durationMs: 4 });
    expect(await a.render()).toContain('aisle_search_duration_seconds_count{origin="model"} 1');
    expect(await b.render()).not.toContain('aisle_search_duration_seconds_count{origin="model"}');
  });
});
