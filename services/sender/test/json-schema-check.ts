/**
 * The subset of JSON Schema 2020-12 that zod's toJSONSchema writes, checked independently of
 * zod: an answer is held against the document as a client generated from it would read it.
 * Returns the problems, one per mismatch, with the path where it is.
 */
type Schema = Record<string, any> | boolean;

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function typeMatches(expected: string, actual: string): boolean {
  return expected === actual || (expected === 'number' && actual === 'integer');
}

export function checkJsonSchema(schema: Schema, value: unknown, at = '$'): string[] {
  if (schema === true || (typeof schema === 'object' && Object.keys(schema).length === 0))
    return [];
  if (schema === false) return [`${at}: nothing is allowed here`];
  const problems: string[] = [];
  const actual = typeOf(value);
  if (schema.type !== undefined) {
    const types: string[] = Array.isArray(schema.type) ? schema.type : [schema.type];
    if (!types.some((type) => typeMatches(type, actual)))
      return [`${at}: expected ${types.join('|')}, got ${actual}`];
  }
  if (schema.const !== undefined && value !== schema.const)
    problems.push(`${at}: expected ${JSON.stringify(schema.const)}`);
  if (schema.enum && !schema.enum.includes(value))
    problems.push(`${at}: ${JSON.stringify(value)} is not one of ${schema.enum.join(', ')}`);
  if (
    schema.anyOf &&
    !schema.anyOf.some((each: Schema) => checkJsonSchema(each, value, at).length === 0)
  )
    problems.push(`${at}: matches none of anyOf`);
  if (schema.oneOf) {
    const matching = schema.oneOf.filter(
      (each: Schema) => checkJsonSchema(each, value, at).length === 0,
    );
    if (matching.length !== 1) problems.push(`${at}: matches ${matching.length} of oneOf`);
  }
  for (const each of schema.allOf ?? []) problems.push(...checkJsonSchema(each, value, at));
  if (actual === 'string') {
    const text = value as string;
    if (schema.minLength !== undefined && text.length < schema.minLength)
      problems.push(`${at}: too short`);
    if (schema.maxLength !== undefined && text.length > schema.maxLength)
      problems.push(`${at}: too long`);
    if (schema.pattern && !new RegExp(schema.pattern, 'u').test(text))
      problems.push(`${at}: does not match ${schema.pattern}`);
  }
  if (actual === 'integer' || actual === 'number') {
    const number = value as number;
    if (schema.minimum !== undefined && number < schema.minimum)
      problems.push(`${at}: below minimum`);
    if (schema.maximum !== undefined && number > schema.maximum)
      problems.push(`${at}: above maximum`);
  }
  if (actual === 'array') {
    (value as unknown[]).forEach((item, index) => {
      if (schema.items) problems.push(...checkJsonSchema(schema.items, item, `${at}[${index}]`));
    });
  }
  if (actual === 'object') {
    const object = value as Record<string, unknown>;
    for (const name of schema.required ?? [])
      if (!(name in object)) problems.push(`${at}.${name}: required`);
    for (const [name, property] of Object.entries(object)) {
      const known = schema.properties?.[name];
      if (known) problems.push(...checkJsonSchema(known, property, `${at}.${name}`));
      else if (schema.additionalProperties === false)
        problems.push(`${at}.${name}: not documented`);
      else if (typeof schema.additionalProperties === 'object')
        problems.push(...checkJsonSchema(schema.additionalProperties, property, `${at}.${name}`));
    }
  }
  return problems;
}
