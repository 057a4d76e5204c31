import { createBackup, refuseExisting } from './backup.service';
import { formatBytes, loadCliConfig, Out, parseFlags, resolveUserPath, runAsMain, runCommand, toolIdentity } from './cli-common';
import { ltiKeyFingerprint, ltiKeyInEffect } from './lti-key-check';
import { connect, databaseForBackup, toolDatabases } from './ops-database';
import { EXIT, UsageError } from './ops-errors';

export const BACKUP_USAGE = `Back up LTI Attendance (its database and ltijs's) into one archive file.

  npm run backup -- --out FILE [--max-passes N]

  --out FILE        the archive to create (.tar.gz); an existing file is never overwritten
  --max-passes N    read everything at most N times (2-100, default 10) waiting for two
                    identical reads in a row; see docs/backup-format.md, "Consistency"

Works while the tool runs. Uses MONGODB_URI, or the embedded database of the tool running on
DATA_DIR, or (when the tool is stopped) starts the embedded database on DATA_DIR itself.
The archive holds no LTI key: keep LTI_KEY (or DATA_DIR/lti-key) safe on its own.
Exit codes: 0 written, 1 failed, 2 bad arguments, 3 refused (file exists, nothing to back up).`;

const DEFAULT_MAX_PASSES = 10;

function readOptions(argv: string[]): { outFile: string; maxPasses: number } | 'help' {
  const { values, positionals } = parseFlags(argv, {
    out: { type: 'string', short: 'o' },
    'max-passes': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) return 'help';
  const problems: string[] = [];
  if (positionals.length > 0) problems.push(`unexpected argument(s): ${positionals.join(' ')} (the archive is given with --out FILE)`);
  if (!values.out) problems.push('--out FILE is required');
  const maxText = values['max-passes'] ?? String(DEFAULT_MAX_PASSES);
  const maxPasses = /^\d+$/.test(maxText) ? Number(maxText) : Number.NaN;
  if (!(maxPasses >= 2 && maxPasses <= 100)) problems.push(`--max-passes must be a whole number from 2 to 100 (got "${maxText}")`);
  if (problems.length > 0) throw new UsageError(problems.join('\n'));
  return { outFile: resolveUserPath(values.out ?? ''), maxPasses };
}

export async function runBackupCli(argv: string[], out: Out, err: Out): Promise<number> {
  return runCommand(BACKUP_USAGE, out, err, async () => {
    const options = readOptions(argv);
    if (options === 'help') {
      out(BACKUP_USAGE);
      return EXIT.ok;
    }
    await refuseExisting(options.outFile);
    const { config, log } = loadCliConfig();
    const databases = toolDatabases(config);
    const key = ltiKeyInEffect(config).key;
    const db = await databaseForBackup(config, log);
    try {
      out(`Backing up ${databases.app} and ${databases.ltijs} from ${db.description}`);
      const client = await connect(db.uri);
      try {
        const result = await createBackup({
          client,
          databases,
          outFile: options.outFile,
          maxPasses: options.maxPasses,
          sourceKind: db.kind,
          ltiKeyFingerprint: key ? ltiKeyFingerprint(key) : null,
          tool: toolIdentity(),
          progress: out,
        });
        out(`Backup written: ${result.outFile} (${result.documents} documents in ${result.collections} collections, ${formatBytes(result.bytes)}, sha256 ${result.sha256})`);
        if (!result.stable) {
          err(
            `WARNING: the data kept changing during all ${result.passes} reads, so the archive is the last read, whose collections ` +
              'were read at slightly different moments (see docs/backup-format.md, "Consistency"). It restores, but run the ' +
              'backup again at a quieter time (or with a higher --max-passes) for one consistent moment.',
          );
        }
        if (!key) err('Note: no LTI key was found (LTI_KEY or DATA_DIR/lti-key); restore will not be able to check the key.');
        return EXIT.ok;
      } finally {
        await client.close();
      }
    } finally {
      await db.stop();
    }
  });
}

runAsMain(module, runBackupCli);
