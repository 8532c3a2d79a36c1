/** Checks on JSON request bodies: a wrong type is a 400, as the real API answers. */
import { badRequest } from "./errors";

export type JsonObject = Record<string, unknown>;

export function isJsonObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** The body as an object; a missing body counts as `{}`. */
export function bodyObject(body: unknown): JsonObject {
  if (body === undefined) return {};
  if (!isJsonObject(body)) throw badRequest("request body must be a JSON object");
  return body;
}

export function optionalString(object: JsonObject, key: string): string | undefined {
  const value = object[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw badRequest(`${key} must be a string`);
  return value;
}

export function requiredString(object: JsonObject, key: string): string {
  const value = optionalString(object, key);
  if (value === undefined || value === "") throw badRequest(`${key} is required`);
  return value;
}

export function optionalBoolean(object: JsonObject, key: string): boolean | undefined {
  const value = object[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "boolean") throw badRequest(`${key} must be a boolean`);
  return value;
}

export function optionalStringArray(object: JsonObject, key: string): string[] | undefined {
  const value = object[key];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || !value.every((item): item is string => typeof item === "string")) {
    throw badRequest(`${key} must be an array of strings`);
  }
  return value;
}

export function optionalIntegerArray(object: JsonObject, key: string): number[] | undefined {
  const value = object[key];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || !value.every((item): item is number => Number.isInteger(item))) {
    throw badRequest(`${key} must be an array of integers`);
  }
  return value;
}

export function optionalObject(object: JsonObject, key: string): JsonObject | undefined {
  const value = object[key];
  if (value === undefined || value === null) return undefined;
  if (!isJsonObject(value)) throw badRequest(`${key} must be an object`);
  return value;
}
