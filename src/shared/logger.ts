import pino from 'pino';
import { currentRequestId } from './request-id';

export type Logger = pino.Logger;

/** `destination`: where the JSON lines go (stdout by default; tests read them). */
export function createLogger(level: pino.LevelWithSilent, destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { app: 'lti-attendance' },
    // Every line written while a request is served carries its id (request-id.ts).
    mixin: () => {
      const reqId = currentRequestId();
      return reqId ? { reqId } : {};
    },
    // Never log secrets that travel in launches and requests.
    redact: ['req.headers.cookie', 'req.headers.authorization', '*.ltik', '*.id_token', '*.ltiKey', '*.adminToken', '*.metricsToken'],
  };
  return destination ? pino(options, destination) : pino(options);
}
