import { verifyArchive, VerifiedArchive } from './archive-verify';
import { totalDocuments } from './backup-manifest';
import { loadCliConfig, Out, parseFlags, resolveUserPath, runAsMain, runCommand } from './cli-common';
import { ltiKeyInEffect, restoreKeyProblem } from './lti-key-check';
import { connect, databaseForRestore, toolDatabases } from './ops-database';
import { EXIT, OpsRefusal, UsageError } from './ops-errors';
import { restoreArchive } from './restore.service';

export const RESTORE_USAGE = `Restore a backup made by "npm run backup" into an empty database.

  npm run restore -- FILE [--force] [--skip-key-check]
  npm run restore -- FILE --check

  --force           replace what is there: drops the tool's two databases (MONGODB_DB and
                    MONGODB_DB_ltijs) first. Without it a target holding any document is refused.
  --skip-key-check  restore even though the LTI key here is missing or not the backup's
                    (LMS registrations will then not work until the right key is set)
  --check           only check the archive (checksums, counts, every document); no database

The target is MONGODB_URI, or else the embedded database in DATA_DIR (started for the restore;
stop the tool first). The whole archive is checked before anything is written. Start the tool
afterwards with the same LTI_KEY, or with the old DATA_DIR/lti-key copied into DATA_DIR.
Exit codes: 0 restored, 1 failed, 2 bad arguments, 3 refused (not empty, tool running, key),
4 damaged or unreadable archive.`;

function readOptions(argv: string[]): { file: string; force: boolean; skipKeyCheck: boolean; checkOnly: boolean } | 'help' {
  const { values, positionals } = parseFlags(argv, {
    force: { type: 'boolean' },
    'skip-key-check': { type: 'boolean' },
    check: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) return 'help';
  if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'Which archive? Give FILE, e.g. npm run restore -- backups/attendance.tar.gz' : `Give one archive, not ${positionals.length}: ${positionals.join(' ')}`);
  if (values.check && (values.force || values['skip-key-check'])) throw new UsageError('--check only reads the archive; it cannot be combined with --force or --skip-key-check');
  return { file: resolveUserPath(positionals[0] ?? ''), force: values.force ?? false, skipKeyCheck: values['skip-key-check'] ?? false, checkOnly: values.check ?? false };
}

function describeArchive(archive: VerifiedArchive): string {
  const m = archive.manifest;
  const collections = m.databases.reduce((n, d) => n + d.collections.length, 0);
  const consistency = m.consistency.stable ? `consistent (${m.consistency.passes} identical reads)` : `NOT verified consistent (data kept changing for ${m.consistency.passes} reads)`;
  return `Archive OK: made ${m.createdAt} by ${m.tool.name} ${m.tool.version}; ${totalDocuments(m)} documents in ${collections} collections; ${consistency}.`;
}

export async function runRestoreCli(argv: string[], out: Out, err: Out): Promise<number> {
  return runCommand(RESTORE_USAGE, out, err, async () => {
    const options = readOptions(argv);
    if (options === 'help') {
      out(RESTORE_USAGE);
      return EXIT.ok;
    }
    out(`Checking ${options.file} …`);
    const archive = await verifyArchive(options.file);
    out(describeArchive(archive));
    if (options.checkOnly) return EXIT.ok;

    const { config, log } = loadCliConfig();
    const keyProblem = restoreKeyProblem(archive.manifest.ltiKeyFingerprint, ltiKeyInEffect(config));
    if (keyProblem && !options.skipKeyCheck) throw new OpsRefusal(`${keyProblem}\nNothing was changed. (--skip-key-check restores anyway.)`);
    if (keyProblem) err(`Warning: ${keyProblem}`);

    const target = toolDatabases(config);
    const db = await databaseForRestore(config, log);
    try {
      out(`Restoring into ${target.app} and ${target.ltijs} on ${db.description}`);
      const client = await connect(db.uri);
      try {
        const result = await restoreArchive({ client, archive, target, force: options.force, progress: out });
        out(`Restored ${result.documents} documents in ${result.collections} collections, and ${result.indexes} indexes.`);
        out('Start the tool with the same LTI key (LTI_KEY, or the old DATA_DIR/lti-key in this DATA_DIR).');
        return EXIT.ok;
      } finally {
        await client.close();
      }
    } finally {
      await db.stop();
    }
  });
}

runAsMain(module, runRestoreCli);
