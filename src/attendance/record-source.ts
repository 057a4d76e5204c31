/** Facts about attendance records shared by the model and the pure rules. Pure. */

/** Who set a record's current status: the take page, a student's check-in, automatic marking, an import. */
export const RECORD_SOURCES = ['teacher', 'self', 'auto', 'import'] as const;
export type RecordSource = (typeof RECORD_SOURCES)[number];

/** Longest teacher remark, in UTF-16 code units like the browser's maxlength. */
export const REMARK_MAX = 500;
