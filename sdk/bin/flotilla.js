#!/usr/bin/env node
// Committed so that npm links the bin at install time, before the build has made dist/ (npm skips a bin whose target is missing).
await import('../dist/cli/bin.js');
