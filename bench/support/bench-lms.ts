/**
 * The tests' mock LMS with one more door for the lean launcher (lean-launch.ts): the /login URL of
 * a launch it has registered, i.e. what the LMS's "open activity" link does, without supertest.
 */
import { LmsSimulator } from '../../src/demo/lms-simulator/simulator';
import type { LaunchOptions } from '../../src/demo/lms-simulator/types';
import { MockLms, MockLmsOptions } from '../../test/support/mock-lms';

export class BenchLms extends MockLms {
  static override async start(opts: MockLmsOptions): Promise<BenchLms> {
    return LmsSimulator.listen(opts, (server, keys, url) => new BenchLms(server, keys, url, opts));
  }

  /** The tool's /login URL for a new launch with these options (the LMS signs its id_token at /auth). */
  loginUrlFor(opts: LaunchOptions): string {
    return this.loginUrl(this.registerPending(opts));
  }
}
