/** The profilers `clusterbench profile` can run; every one runs the stage in a worker thread (profile-command.ts). */
export const profileTools = ['cpu-prof', 'heap-prof', 'heap-snapshot'] as const;
/** One of profileTools. */
export type ProfileTool = (typeof profileTools)[number];
