#!/usr/bin/env node
// The `samla` command. Runs the TypeScript sources directly through tsx (no build step).
// A .env file in the working directory is read first (variables already set win).
import { existsSync } from 'node:fs';
import { register } from 'tsx/esm/api';

if (existsSync('.env')) process.loadEnvFile('.env');
register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
