/**
 * The configuration cache: each company's stored record and its parsed configuration, kept by
 * (company, configuration version). A lookup reads only the version number from the store;
 * the record is read and parsed again only when the version moved — by any process, since
 * every write of a configuration bumps it (companies.config_version).
 */
import { loadConfig, type Company } from '../domain/config.js';
import type { Result } from '../domain/errors.js';
import type { LedgerStore, StoredCompany } from '../store/store.js';

export interface CachedConfig {
  record: StoredCompany;
  /** The parsed configuration, or why it does not load. */
  co: Result<Company>;
}

export class ConfigCache {
  private readonly entries = new Map<string, CachedConfig>();

  /** `parse` is loadConfig; tests pass a counting one. */
  constructor(private readonly store: LedgerStore, private readonly parse: (raw: unknown) => Result<Company> = loadConfig) {}

  /** The company's record and parsed configuration as stored now; undefined for an unknown company. */
  async get(company: string): Promise<CachedConfig | undefined> {
    const version = await this.store.configVersion(company);
    if (version === undefined) {
      this.entries.delete(company);
      return undefined;
    }
    const cached = this.entries.get(company);
    if (cached !== undefined && cached.record.configVersion === version) return cached;
    const record = await this.store.getCompany(company);
    if (record === undefined) return undefined;
    const entry = { record, co: this.parse(record.config) };
    this.entries.set(company, entry);
    return entry;
  }
}
