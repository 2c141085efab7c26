/**
 * probe: where things live — entities in `entities_probe`, and failure
 * switches in `probe_switches` (a side collection a test flips to make the
 * `fragile` command fail or succeed; an example of a feature repository
 * reached through ctx.deps).
 */
import type { Db } from '../../platform/index.js';
import { entityRepository } from '../runtime/index.js';
import { initialProbe, type ProbeState } from './service.js';

export const probeRepository = entityRepository<ProbeState>({ initialState: initialProbe });

export class SwitchRepository {
  constructor(private readonly db: Db) {}

  async isOn(name: string): Promise<boolean> {
    const doc = await this.db.collection<{ _id: string; on: boolean }>('probe_switches').findOne({ _id: name });
    return doc?.on === true;
  }
}

/** What probe controllers get as ctx.deps. */
export interface ProbeDeps {
  switches: SwitchRepository;
}
