// Preloaded with `node --require` into every IdP the SSO test rigs start.
//
// The rigs stop their servers by PID at teardown. If the Python test process dies first
// (kill -9, a crash), the server is re-parented; this notices and exits, so no IdP outlives
// the test run that started it.
'use strict';

const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) {
    console.log(`watchdog: parent ${parent} is gone, exiting`);
    process.exit(0);
  }
}, 500).unref();

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    console.log(`watchdog: ${signal}, exiting`);
    process.exit(0);
  });
}
