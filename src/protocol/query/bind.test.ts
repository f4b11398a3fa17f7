import assert from "node:assert/strict";
import { test } from "node:test";
import { AwsError } from "../../core/aws-error.ts";
import { SimulatedClock } from "../../core/clock.ts";
import { rootTestContext } from "../../core/test-support.ts";
import { createStsModel, STS_XMLNS } from "../../services/sts/index.ts";
import { bindQueryService } from "./bind.ts";

const ctx = () => rootTestContext("111122223333", "us-east-1", new SimulatedClock());

const post = (body: string) => ({ method: "POST", rawPath: "/", query: new URLSearchParams(), headers: { "content-type": "application/x-www-form-urlencoded" }, body: Buffer.from(body) });

test("a query service model bound by the codec: SDK-shaped output rendered as the protocol's XML, errors in its shape", async () => {
  const sts = bindQueryService(
    createStsModel({
      Echo: (input) => ({ Said: typeof input.Text === "string" ? input.Text : "", Items: [{ N: "1" }, { N: "2" }] }),
    }),
  );
  assert.equal(sts.signingName, "sts");
  const who = await sts.handle(post("Action=GetCallerIdentity&Version=2011-06-15"), ctx());
  assert.equal(who.status, 200);
  const xml = String(who.body);
  assert.match(xml, new RegExp(`<GetCallerIdentityResponse xmlns="${STS_XMLNS}">`));
  assert.match(xml, /<GetCallerIdentityResult><UserId>[^<]+<\/UserId><Account>111122223333<\/Account><Arn>arn:aws:iam::111122223333:root<\/Arn><\/GetCallerIdentityResult>/);
  assert.match(xml, /<RequestId>req-1<\/RequestId>/);
  const echo = String((await sts.handle(post("Action=Echo&Version=2011-06-15&Text=a%26b"), ctx())).body);
  assert.match(echo, /<EchoResult><Said>a&amp;b<\/Said><Items><member><N>1<\/N><\/member><member><N>2<\/N><\/member><\/Items><\/EchoResult>/);
  await assert.rejects(Promise.resolve(sts.handle(post("Action=Nope&Version=2011-06-15"), ctx())), (e: unknown) => e instanceof AwsError && e.code === "InvalidAction");
  const err = sts.renderError(new AwsError("ValidationError", 400, "bad <input>"), "req-2");
  assert.equal(err.status, 400);
  assert.match(String(err.body), /<ErrorResponse xmlns="https:\/\/sts.amazonaws.com\/doc\/2011-06-15\/"><Error><Type>Sender<\/Type><Code>ValidationError<\/Code><Message>bad &lt;input&gt;<\/Message>/);
});
