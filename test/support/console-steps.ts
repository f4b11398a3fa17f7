// Steps a user takes in the console, shared by the console's end-to-end tests.
import assert from "node:assert/strict";
import type { Page } from "playwright-core";

export interface CreateFormInput {
  name: string;
  runtime?: string;
  vpcId?: string;
  subnetIds?: string[];
  securityGroupIds?: string[];
}

/** Fill "Create function" with the AWS console's labels; leaves the page before the click on "Create function". */
export async function fillCreateForm(page: Page, input: CreateFormInput): Promise<void> {
  await page.getByRole("link", { name: "Create function" }).click();
  await page.getByLabel("Function name").fill(input.name);
  await page.getByLabel("Runtime").selectOption(input.runtime ?? "nodejs20.x");
  assert.equal(await page.getByLabel("x86_64").isChecked(), true, "Architecture defaults to x86_64");
  assert.equal(await page.getByLabel("Create a new role with basic Lambda permissions").isChecked(), true);
  if (!input.vpcId) return;
  await page.getByText("Advanced settings").click();
  await page.getByLabel("Enable VPC").check();
  await page.getByLabel("VPC", { exact: true }).selectOption(input.vpcId);
  for (const s of input.subnetIds ?? []) await page.getByRole("checkbox", { name: new RegExp(s) }).check();
  for (const g of input.securityGroupIds ?? []) await page.getByRole("checkbox", { name: new RegExp(g) }).check();
}

/**
 * Form controls on the page without an accessible name (a <label>, aria-label or aria-labelledby),
 * as "tag#id" strings: every control must have one.
 */
export async function unlabelledControls(page: Page): Promise<string[]> {
  return page.evaluate(`[...document.querySelectorAll("input, select, textarea, button")]
    .filter((el) => el.type !== "hidden")
    .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute("aria-label") && !el.getAttribute("aria-labelledby") && !(el.tagName === "BUTTON" && el.textContent.trim()))
    .map((el) => el.tagName.toLowerCase() + "#" + (el.id || el.name || "?"))`);
}
