// The full list of checks, structural first, then policy by area.
import structure from './structure.mjs';

export const ALL_CHECKS = [...structure];
