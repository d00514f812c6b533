#!/usr/bin/env node
import { main } from '../dist/bin.js';

const code = await main(process.argv);
process.exitCode = code;
// Interrupted: cleanup is done; do not wait for idle sockets or timers.
if (code === 130 || code === 143) process.exit(code);
