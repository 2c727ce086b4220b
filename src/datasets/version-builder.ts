/**
 * Turns a stream of records (from a file, traces, feedback or an API call) into one new dataset
 * version: ids are checked or derived, batches are written to a pending version, and at the end
 * the version is committed — or, when records were refused and `keepValid` is off (or anything
 * fails), discarded so that nothing is left behind.
 */
import { FenerError } from '../core/index.js';
import type { Dataset, DatasetVersion, Store, VersionMeta, VersionWriter, WriterItem } from '../store/index.js';
import { derivedId, type PreparedItem } from './item.js';
import type { ParsedLine } from './jsonl.js';

export interface RejectedLine {
  line: number;
  reason: string;
}

export interface BuildReport {
  /** The version made (or the existing identical one); null when nothing was written. */
  version: number | null;
  created: boolean;
  contentHash: string | null;
  itemCount: number;
  /** Valid records (written only when the version was made). */
  accepted: number;
  rejected: number;
  /** The first rejected lines (at most `maxReportedRejections`), in line order. */
  rejectedLines: RejectedLine[];
}

export interface BuildOptions {
  dataset: Dataset;
  meta: Omit<VersionMeta, 'parentVersion'>;
  /** Items of this version are copied first (an append); it is also the new version's parent. */
  base?: DatasetVersion;
  /** Lineage parent when nothing is copied (e.g. a step's input). */
  parentVersion?: number | null;
  records: AsyncIterable<ParsedLine>;
  /** Keep the valid records when some are refused; otherwise refuse the whole import. */
  keepValid: boolean;
  onProgress?: (accepted: number, rejected: number) => void;
  maxReportedRejections?: number;
}

const batchSize = 1000;

/** Assigns ids to a batch: given ids must be new to the version, missing ones are derived from content. */
async function assignIds(writer: VersionWriter, batch: ParsedLine[], rejected: (entry: RejectedLine) => void): Promise<WriterItem[]> {
  const accepted = batch.filter((entry): entry is ParsedLine & { result: { ok: true; item: PreparedItem } } => entry.result.ok);
  const candidates = accepted.map((entry) => entry.result.item.id ?? derivedId(entry.result.item.contentHash, 1));
  const taken = await writer.existingIds(candidates);
  const out: WriterItem[] = [];
  for (const entry of accepted) {
    const item = entry.result.item;
    let id = item.id;
    if (id === undefined) {
      let occurrence = 1;
      id = derivedId(item.contentHash, occurrence);
      while (taken.has(id)) {
        id = derivedId(item.contentHash, ++occurrence);
        if (!taken.has(id) && (await writer.existingIds([id])).size > 0) taken.add(id);
      }
    } else if (taken.has(id)) {
      rejected({ line: entry.line, reason: `duplicate id "${id}"` });
      continue;
    }
    taken.add(id);
    out.push({ id, contentHash: item.contentHash, body: item.body, split: item.split ?? null });
  }
  return out;
}

async function copyBase(store: Store, writer: VersionWriter, base: DatasetVersion): Promise<void> {
  for await (const page of store.datasets.iterate(base.id)) {
    await writer.add(page.map((item) => ({ id: item.id, contentHash: item.contentHash, split: item.split })));
  }
}

export async function buildVersion(store: Store, options: BuildOptions): Promise<BuildReport> {
  const maxReported = options.maxReportedRejections ?? 1000;
  const rejectedLines: RejectedLine[] = [];
  let rejectedCount = 0;
  let accepted = 0;
  const reject = (entry: RejectedLine): void => {
    rejectedCount++;
    if (rejectedLines.length < maxReported) rejectedLines.push(entry);
  };
  const parentVersion = options.base?.version ?? options.parentVersion ?? null;
  const writer = await store.datasets.startVersion(options.dataset, { ...options.meta, parentVersion });
  try {
    if (options.base) await copyBase(store, writer, options.base);
    let batch: ParsedLine[] = [];
    const flush = async (): Promise<void> => {
      for (const entry of batch) if (!entry.result.ok) reject({ line: entry.line, reason: entry.result.reason });
      const items = await assignIds(writer, batch, reject);
      batch = [];
      accepted += items.length;
      if (rejectedCount > 0 && !options.keepValid) return; // doomed: keep validating, stop writing
      await writer.add(items);
      options.onProgress?.(accepted, rejectedCount);
    };
    for await (const entry of options.records) {
      batch.push(entry);
      if (batch.length >= batchSize) await flush();
    }
    await flush();
    const report = { accepted, rejected: rejectedCount, rejectedLines: rejectedLines.sort((a, b) => a.line - b.line) };
    if (rejectedCount > 0 && !options.keepValid) {
      await writer.discard();
      return { ...report, version: null, created: false, contentHash: null, itemCount: 0 };
    }
    const committed = await writer.commit({ accepted, rejected: rejectedCount, copied: options.base?.itemCount ?? 0 });
    return {
      ...report,
      version: committed.version,
      created: committed.created,
      contentHash: committed.contentHash,
      itemCount: committed.itemCount,
    };
  } catch (error) {
    await writer.discard().catch(() => undefined);
    throw error;
  }
}

/** The refusal of an import without `keepValid`: 400 with the first rejected lines in the message. */
export function rejectionError(report: BuildReport): FenerError {
  const shown = report.rejectedLines
    .slice(0, 5)
    .map((entry) => `line ${entry.line}: ${entry.reason}`)
    .join('; ');
  return new FenerError(
    'invalid_request',
    `${report.rejected} record(s) rejected, nothing written (use keep_valid to keep the ${report.accepted} valid ones): ${shown}`,
    { param: 'file' },
  );
}
