import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { isScenarioName } from '../../deploy/k6/scenarios.js';
import { k6Output } from '../../scripts/k6-build.js';

const K6_DIR = join(import.meta.dirname, '..', '..', 'deploy', 'k6');
const read = (file: string): unknown => parse(readFileSync(join(K6_DIR, file), 'utf8'));

/** The fields the tests read; toMatchObject and the checks below hold the files to them. */
interface TestRun {
  apiVersion: string;
  kind: string;
  spec: {
    parallelism: number;
    arguments: string;
    script: { configMap: { name: string; file: string } };
  };
}
interface Kustomization {
  resources: string[];
  configMapGenerator: { name: string; files: string[] }[];
  generatorOptions: { disableNameSuffixHash: boolean };
}

describe('deploy/k6: the k6 operator TestRun and its kustomization', () => {
  const testRun = read('testrun.yaml') as TestRun;
  const kustomization = read('kustomization.yaml') as Kustomization;

  it('is a TestRun of several runners', () => {
    expect(testRun).toMatchObject({ apiVersion: 'k6.io/v1alpha1', kind: 'TestRun' });
    expect(testRun.spec.parallelism).toBeGreaterThan(1);
  });

  it('runs the built script from the ConfigMap the kustomization generates', () => {
    const { name, file } = testRun.spec.script.configMap;
    expect(kustomization.resources).toContain('testrun.yaml');
    expect(kustomization.configMapGenerator).toContainEqual({ name, files: [file] });
    expect(kustomization.generatorOptions.disableNameSuffixHash).toBe(true);
    expect(k6Output('countersign').endsWith(`/${file}`)).toBe(true);
  });

  it('names a scenario that exists and aims at the in-cluster gateway Service', () => {
    const args: string = testRun.spec.arguments;
    const scenario = /-e SCENARIO=(\S+)/.exec(args)?.[1] ?? '';
    expect(isScenarioName(scenario), `SCENARIO=${scenario}`).toBe(true);
    expect(args).toContain('-e BASE_URL=http://gateway:4000');
  });
});
