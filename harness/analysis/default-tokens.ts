/** Tokens per conversation when neither flags nor a run give figures: a Kura-style summary of a short support chat. */
export const DEFAULT_TOKENS = { input: 800, output: 150, embedding: 150 } as const;
