import { startServer } from "./tests/helpers/server";
import { launchBrowser, newPerson, openRoom, typeAtEnd, say } from "./tests/e2e/helpers/browser";
const server = await startServer();
const browser = await launchBrowser();
try {
  const room = "look-" + Date.now();
  const a = await newPerson(browser);
  const b = await newPerson(browser);
  await openRoom(a.tracked.page, `${server.http}/r/${room}?name=Ada`);
  await openRoom(b.tracked.page, `${server.http}/r/${room}?name=Grace`);
  await typeAtEnd(a.tracked.page, "# Plan\n\nSome **bold** text and a [link](https://example.com).\n\n- one\n- two\n");
  await say(a.tracked.page, "Hi @Grace, see https://example.com");
  await say(b.tracked.page, "Hello Ada!\nSecond line");
  await say(b.tracked.page, "another one");
  await b.tracked.page.waitForTimeout(800);
  await a.tracked.page.screenshot({ path: "/tmp/shots/wide-a.png" });
  await b.tracked.page.screenshot({ path: "/tmp/shots/wide-b.png" });
  const p = await newPerson(browser, { width: 390, height: 844 });
  await openRoom(p.tracked.page, `${server.http}/r/${room}?name=Phone`);
  await p.tracked.page.screenshot({ path: "/tmp/shots/phone-doc.png" });
  await p.tracked.page.getByRole("tab", { name: /Chat/ }).click();
  await p.tracked.page.screenshot({ path: "/tmp/shots/phone-chat.png" });
  await p.tracked.page.emulateMedia({ colorScheme: "dark" });
  await p.tracked.page.screenshot({ path: "/tmp/shots/phone-chat-dark.png" });
  console.log(a.tracked.errors, b.tracked.errors, p.tracked.errors);
} finally {
  await browser.close();
  await server.stop();
}
