/** Moved to src/demo/lms-simulator/util.ts (the LMS simulator demo mode ships); kept for existing imports. */
export * from '../../src/demo/lms-simulator/util';
