// Native transfers call no contract: empty calldata. Kept so every adapter folder has the same shape.

/** Calldata of a plain value transfer. */
export const NATIVE_TRANSFER_DATA = '0x' as const
