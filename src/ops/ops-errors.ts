/**
 * What the backup and restore commands refuse to do, as distinct exit codes so a script can tell
 * "fix the command" from "will not overwrite" from "this archive is bad" (ArchiveError, 4).
 */
export const EXIT = { ok: 0, failed: 1, usage: 2, refused: 3, badArchive: 4, config: 78 } as const;

/** Bad flags or arguments. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A deliberate no: a target that is not empty, an existing output file, a running tool, a wrong LTI key. */
export class OpsRefusal extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OpsRefusal';
  }
}
