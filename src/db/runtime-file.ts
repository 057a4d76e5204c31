/**
 * Records which embedded server the running app started, so a CLI started alongside it can
 * connect to that server instead of starting its own: an embedded mongod data dir or the
 * stand-in's H2 file cannot be opened by two servers at once.
 */
import { readFile, rename, rm, writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { DatabaseKind } from './select-database';

export interface RuntimeRecord {
  uri: string;
  kind: DatabaseKind;
  /** pid of the app process that owns the server; the record is void once it is gone. */
  pid: number;
}

const FILE_NAME = 'db-runtime.json';

export function runtimeFilePath(dataDir: string): string {
  return path.join(dataDir, FILE_NAME);
}

export async function writeRuntimeFile(dataDir: string, record: RuntimeRecord): Promise<void> {
  await mkdir(dataDir, { recursive: true });
  const target = runtimeFilePath(dataDir);
  // Write-then-rename so a concurrent reader never sees half a file.
  const temp = `${target}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify(record)}\n`, { mode: 0o600 });
  await rename(temp, target);
}

/** Whether a process with this pid exists (signal 0 probes without touching it). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM means it exists but is not ours to signal: still alive.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function parseRecord(text: string): RuntimeRecord | undefined {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null) return undefined;
    const { uri, kind, pid } = value as Record<string, unknown>;
    const kindOk = kind === 'external' || kind === 'mongod' || kind === 'standin';
    if (typeof uri !== 'string' || !kindOk || typeof pid !== 'number' || !Number.isInteger(pid) || pid <= 0) {
      return undefined;
    }
    return { uri, kind, pid };
  } catch {
    return undefined;
  }
}

/** The record, only if the process that wrote it is still alive (a left-over file is ignored). */
export async function readLiveRuntimeFile(dataDir: string): Promise<RuntimeRecord | undefined> {
  const text = await readFile(runtimeFilePath(dataDir), 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  const record = parseRecord(text);
  return record && isProcessAlive(record.pid) ? record : undefined;
}

export async function removeRuntimeFile(dataDir: string): Promise<void> {
  await rm(runtimeFilePath(dataDir), { force: true });
}
