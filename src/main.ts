import { startTool, Tool } from './server';
import { loadConfigOrExit, onShutdownSignals, resolveLtiKey, secureDataDir, startDatabaseOrExit, startLogger } from './startup';

/** config → database → ltijs → workers → listen; SIGTERM/SIGINT stop them in reverse order. */
async function main(): Promise<void> {
  const config = loadConfigOrExit(process.env);
  const log = startLogger(config);
  secureDataDir(config, log);
  const ltiKey = resolveLtiKey(config, log);
  const database = await startDatabaseOrExit(config, log);

  let tool: Tool | undefined;
  onShutdownSignals(config, log, database, async () => {
    await tool?.close();
  });

  try {
    tool = await startTool({ config, ltiKey, mongoUri: database.uri, log });
  } catch (err) {
    log.fatal({ err }, 'startup failed');
    await database.stop().catch(() => undefined);
    process.exit(1);
  }
  log.info(`Open ${tool.url}/ for the LMS registration details.`);
}

void main();
