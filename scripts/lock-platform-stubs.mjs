// The npm mirror this project is built against serves only some platform builds of
// packages that ship native binaries as optional dependencies (biome, rollup). `npm install`
// then leaves those optional packages out of package-lock.json and `npm ci` refuses the lock.
// This script records every missing optional platform package in the lock with its os/cpu
// constraints, so `npm ci` sees a complete lock and skips the builds for other platforms.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

const lockPath = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(lockPath, 'utf8'));
const packages = lock.packages;

const platformOf = (name) => {
  const parts = name.split('/').pop().split('-');
  const os = [
    'darwin',
    'linux',
    'win32',
    'android',
    'freebsd',
    'openbsd',
    'openharmony',
    'sunos',
    'netbsd',
    'aix',
  ].find((o) => parts.includes(o));
  const cpu = ['arm64', 'x64', 'ia32', 'arm', 'loong64', 'ppc64', 'riscv64', 's390x', 'mips64el'].find((c) =>
    parts.includes(c),
  );
  return {
    os,
    cpu,
    libc: parts.includes('musl')
      ? 'musl'
      : parts.includes('gnu') || parts.includes('gnueabihf')
        ? 'glibc'
        : undefined,
  };
};

let added = 0;
for (const [path, entry] of Object.entries(packages)) {
  if (!entry.optionalDependencies) continue;
  for (const [dep, version] of Object.entries(entry.optionalDependencies)) {
    const depPath = `node_modules/${dep}`;
    if (packages[depPath] || packages[`${path}/${depPath}`]) continue;
    const { os, cpu, libc } = platformOf(dep);
    if (!os && !cpu)
      throw new Error(
        `${dep} (optional dependency of ${path}) is missing from the lock and is not a platform build`,
      );
    let manifest = {};
    try {
      manifest = JSON.parse(
        execFileSync('npm', ['view', `${dep}@${version}`, 'os', 'cpu', 'libc', '--json'], {
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'ignore'],
        }) || '{}',
      );
    } catch {}
    const fields = {
      ...(entry.dev ? { dev: true } : {}),
      optional: true,
      os: manifest.os ?? (os ? [os] : undefined),
      cpu: manifest.cpu ?? (cpu ? [cpu] : undefined),
      ...(manifest.libc || libc ? { libc: manifest.libc ?? [libc] } : {}),
    };
    // npm writes `version` first and the other fields in alphabetical order.
    const sorted = Object.keys(fields)
      .sort()
      .map((key) => [key, fields[key]]);
    packages[depPath] = { version, ...Object.fromEntries(sorted) };
    added += 1;
  }
}
lock.packages = Object.fromEntries(
  Object.entries(packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))),
);
writeFileSync(lockPath, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`recorded ${added} platform-only optional packages in package-lock.json`);
