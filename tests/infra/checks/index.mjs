// The full list of checks, structural first, then policy by area.
import structure from './structure.mjs';
import database from './database.mjs';

export const ALL_CHECKS = [...structure, ...database];
