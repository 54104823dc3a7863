// Prints the length and SHA-256 of zlib.deflateSync (default level) for
// every .bin file of a directory, in name order, as testdata/zlib-node.json.
// Usage: go test -run TestCompressMatchesNode -zlib-dump DIR . && node testdata/zlib-node.mjs DIR
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const dir = process.argv[2];
const cases = readdirSync(dir).filter((f) => f.endsWith('.bin')).sort().map((f) => {
  const out = deflateSync(readFileSync(`${dir}/${f}`));
  return { len: out.length, sha256: createHash('sha256').update(out).digest('hex') };
});
const generator = `node ${process.version} zlib ${process.versions.zlib}`;
console.log(`{"generator": ${JSON.stringify(generator)}, "cases": [\n${cases.map((c) => JSON.stringify(c)).join(',\n')}\n]}`);
