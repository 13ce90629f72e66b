// The web console end to end in a real browser (Debian's chromium, headless, driven by
// playwright-core): sign in, open a quarantined Standard 18 file, see the faulty field
// highlighted with its finding, release it with a reason. Screenshots go to ARTEFACTS.
//
//   node console_browser.js URL FILE_ID USER PASSWORD ARTEFACTS OTHER_ID
// (OTHER_ID: a second quarantined file, opened with the keyboard alone; RESTART: a script that
// restarts the daemon and prints its new address)
// Exit 0 when every step held; the failing step otherwise.
"use strict";
const { execFileSync } = require("child_process");
const fs = require("fs");
const path = require("path");
const { chromium } = require("playwright-core");

const [url, fileId, user, password, artefacts, otherId, restart] = process.argv.slice(2);
const reason = "Confirmed with the payer's bank by phone; account number is right";

async function main() {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
  });
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  // Refused requests (401 before signing in, 403, 404) are the API answering as it should; the
  // steps check those answers. Anything else the console logs as an error is a fault.
  page.on("console", (m) => {
    if (m.type() === "error" && !/^Failed to load resource/.test(m.text())) errors.push(m.text());
  });
  const shot = (name) => page.screenshot({ path: path.join(artefacts, name), fullPage: true });
  // axe-core on the page as it is now: no WCAG 2.0, 2.1 or 2.2 A or AA violation. It runs by
  // the DevTools protocol, so the console's Content-Security-Policy stays as it is.
  const axeSource = fs.readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
  const accessible = new Set();
  const axe = async (view) => {
    await page.evaluate(axeSource);
    const found = await page.evaluate(async () => (await window.axe.run(document, {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"] },
    })).violations.map((v) => `${v.id} (${v.impact}): ${v.help}; ${v.nodes.slice(0, 3)
      .map((n) => n.target.join(" ")).join(" | ")}`));
    if (found.length) throw new Error(`axe-core on ${view}: ${found.join("; ")}`);
    accessible.add(view);
  };
  const step = async (what, fn) => {
    try {
      await fn();
      console.log(`ok ${what}`);
    } catch (e) {
      await shot("failed.png").catch(() => {});
      throw new Error(`${what}: ${e.message}`);
    }
  };

  await step("the console asks to sign in", async () => {
    await page.goto(url + "/");
    await page.waitForSelector("#login-view:not([hidden])", { timeout: 10000 });
    // The checker must see a fault to be trusted: a field with no label is one.
    await page.evaluate(() => document.body.append(Object.assign(document.createElement("input"),
      { id: "axe-canary" })));
    const caught = await axe("canary").then(() => "", (e) => e.message);
    if (!/label/.test(caught)) throw new Error(`axe-core missed an unlabelled field: ${caught}`);
    await page.evaluate(() => document.getElementById("axe-canary").remove());
    await axe("sign-in");
  });
  await step("a wrong password is refused", async () => {
    await page.fill("#login-user", user);
    await page.fill("#login-password", "not the password");
    await page.click("#login-submit");
    await page.waitForSelector("#login-error:not([hidden])");
    const text = await page.textContent("#login-error");
    if (!/wrong user name or password/.test(text)) throw new Error(text);
  });
  await step("signs in and sees the quarantine", async () => {
    await page.fill("#login-password", password);
    await page.click("#login-submit");
    await page.waitForSelector(`#quarantine-table tr[data-id="${fileId}"]`, { timeout: 10000 });
    const role = await page.textContent("#who-role");
    if (role !== "officer") throw new Error(`role shown: ${role}`);
    await shot("1-quarantine.png");
    await axe("quarantine");
  });
  await step("the filter by rule keeps the file", async () => {
    await page.fill("#filter-rule", "bacs18.modulus.failed");
    await page.click("#filters button[type=submit]");
    await page.waitForSelector(`#quarantine-table tr[data-id="${fileId}"]`);
    await page.fill("#filter-rule", "bacs18.no.such.rule");
    await page.click("#filters button[type=submit]");
    await page.waitForSelector("#quarantine-empty:not([hidden])");
    await page.fill("#filter-rule", "");
    await page.click("#filters button[type=submit]");
    await page.waitForSelector(`#quarantine-table tr[data-id="${fileId}"]`);
  });
  await step("opens the file: the faulty field is highlighted with its finding", async () => {
    await page.click(`#quarantine-table tr[data-id="${fileId}"]`);
    await page.waitForSelector("#file-view:not([hidden])");
    const mark = await page.waitForSelector('mark.fault[data-rule="bacs18.modulus.failed"]',
      { timeout: 10000 });
    const field = await mark.getAttribute("data-field");
    if (field !== "dest_account") throw new Error(`highlighted field: ${field}`);
    // Masked for a viewer's eyes unless asked: the account number shows as stars.
    const masked = await mark.textContent();
    if (!/^\*+$/.test(masked)) throw new Error(`not masked: ${masked}`);
    const row = await mark.evaluateHandle((m) => m.closest("tr"));
    const note = await (await row.$("td.note")).textContent();
    if (!/fails modulus checking/.test(note)) throw new Error(`finding beside it: ${note}`);
    const list = await page.textContent("#finding-list");
    if (!/bacs18\.modulus\.failed/.test(list)) throw new Error(list);
    await mark.scrollIntoViewIfNeeded();
    await shot("2-file-fault-highlighted.png");
    await axe("file");
  });
  await step("a finding links to its rule's page, and back", async () => {
    await page.click('#finding-list a.rule[href="#/rules/bacs18.modulus.failed"]');
    await page.waitForSelector("#rule-view:not([hidden])");
    await page.waitForFunction(() => document.getElementById("rule-id").textContent
      === "bacs18.modulus.failed");
    const text = await page.textContent("#rule-sections");
    for (const heading of ["What it checks", "Why it matters", "Example", "How to fix the file",
      "Where it comes from"]) {
      if (!text.includes(heading)) throw new Error(`no "${heading}" in: ${text}`);
    }
    if ((await page.title()) !== "bacs18.modulus.failed - rbgate console") {
      throw new Error(`title: ${await page.title()}`);
    }
    await shot("7-rule-page.png");
    await axe("rule page");
    await page.click("#rule-back");
    await page.waitForSelector('#file-view:not([hidden]) mark.fault[data-rule="bacs18.modulus.failed"]');
  });
  await step("the rules' index finds a rule by its words", async () => {
    await page.click("#nav-rules");
    await page.waitForSelector("#rules-table tbody tr");
    await page.fill("#rules-find", "modulus");
    const rows = await page.$$eval("#rules-table tbody tr", (trs) => trs.map((t) => t.textContent));
    if (!rows.length || !rows.every((r) => /modulus/i.test(r))) throw new Error(rows.join(" | "));
    await axe("rules");
    await page.goBack();
    await page.waitForSelector('#file-view:not([hidden]) mark.fault[data-rule="bacs18.modulus.failed"]');
  });
  await step("an officer who asks sees the personal data", async () => {
    await page.check("#show-personal");
    await page.waitForFunction(() => {
      const m = document.querySelector('mark.fault[data-rule="bacs18.modulus.failed"]');
      return m && /^[0-9]+$/.test(m.textContent);
    }, null, { timeout: 10000 });
    await page.uncheck("#show-personal");
  });
  await step("release asks for a reason and records it", async () => {
    await page.click("#act-release");
    await page.waitForSelector("#reason-dialog[open]");
    await shot("3-release-reason.png");
    await axe("reason dialog");
    await page.fill("#reason-text", reason);
    await page.click("#reason-confirm");
    await page.waitForSelector("#notice:not([hidden])", { timeout: 15000 });
    const notice = await page.textContent("#notice");
    if (!/release recorded/.test(notice)) throw new Error(notice);
    await page.waitForFunction((text) => document.getElementById("history").textContent
      .includes(text), `release by ${user}: ${reason}`, { timeout: 10000 });
    const facts = await page.textContent("#file-facts");
    if (!/delivered/.test(facts)) throw new Error(`after release: ${facts}`);
    await shot("4-released.png");
  });
  await step("the feeds' dashboard shows the day", async () => {
    await page.click("#nav-dashboard");
    await page.waitForSelector("#dashboard-table tbody tr");
    const text = await page.textContent("#dashboard-table");
    if (!/bacs18/.test(text)) throw new Error(text);
    // The route expects a file by 00:00 every day; files came today, so it is on time.
    const expected = await page.textContent('#expected li[data-route="auto"]');
    if (!/route auto: on time/.test(expected)) throw new Error(expected);
    await shot("5-dashboard.png");
    await axe("feeds");
  });
  await step("the approvals list who released what; an officer cannot approve", async () => {
    await page.click("#nav-approvals");
    await page.waitForSelector("#approvals-table tbody tr");
    const row = await page.textContent("#approvals-table tbody tr");
    if (!/payments/.test(row) || !/bob/.test(row)) throw new Error(`approvals: ${row}`);
    await page.click("#approvals-table tbody tr");
    await page.waitForSelector("#file-view:not([hidden])");
    await page.waitForFunction(() => /awaiting-approval/.test(
      document.getElementById("file-facts").textContent));
    if (!(await page.isHidden("#act-approve"))) throw new Error("an officer was offered Approve");
    if (!(await page.isVisible("#act-reject"))) throw new Error("no Reject for a waiting file");
    await shot("6-approvals.png");
    await page.click("#nav-approvals");
    await page.waitForSelector("#approvals-table tbody tr");
    await axe("approvals");
  });
  await step("the day's returns reconciled: the unknown reference first, filters, export", async () => {
    await page.click("#nav-returns");
    await page.waitForSelector("#returns-table tbody tr");
    const statuses = await page.$$eval("#returns-table tbody tr", (trs) => trs.map((t) => t.dataset.status));
    if (statuses.join() !== "unmatched,matched,matched") throw new Error(statuses.join());
    const summary = await page.textContent("#returns-summary");
    if (!/^1 unmatched .* 2 matched/.test(summary)) throw new Error(summary);
    // A matched item links to the collection it answers.
    const sent = await page.getAttribute("#returns-table tbody tr:nth-child(2) td:nth-child(7) a", "href");
    if (!/^#\/file\/[0-9]/.test(sent)) throw new Error(`sent link: ${sent}`);
    await shot("8-returns.png");
    await axe("returns");
    await page.selectOption("#returns-status", "unmatched");
    await page.click("#returns-filters button[type=submit]");
    await page.waitForFunction(() => document.querySelectorAll("#returns-table tbody tr").length === 1);
    const csv = await page.getAttribute("#returns-csv", "href");
    if (!/format=csv/.test(csv) || !/status=unmatched/.test(csv)) throw new Error(`export: ${csv}`);
    await page.click("#returns-table tbody tr td:nth-child(2) a");
    await page.waitForFunction(() => document.getElementById("file-name").textContent === "returns.xml");
  });
  await step("any file on record: searched, its archived original paged, downloadable", async () => {
    await page.click("#nav-files");
    await page.waitForSelector("#files-view:not([hidden])");
    await page.fill("#files-q", "collections");
    await page.click("#files-search button[type=submit]");
    await page.waitForFunction(() => {
      const rows = document.querySelectorAll("#files-table tbody tr");
      return rows.length === 1 && /collections\.s18/.test(rows[0].textContent);
    });
    await axe("files");
    await shot("11-files.png");
    await page.click("#files-table tbody tr a");
    await page.waitForSelector('#lines tr[data-line="1"]');
    const facts = await page.textContent("#file-facts");
    if (!/delivered/.test(facts)) throw new Error(facts);
    // Delivered: nothing to decide (the actions row once showed through its hidden attribute).
    if (await page.isVisible("#actions")) throw new Error("actions offered for a delivered file");
    await page.fill("#lines-at", "30");
    await page.click("#lines-go button[type=submit]");
    await page.waitForSelector('#lines tr[data-line="30"]');
    const href = await page.getAttribute("#download", "href");
    if (!(await page.isVisible("#download")) || !/\/original$/.test(href)) throw new Error(href);
    await axe("archived file");
  });
  await step("a schema feed's personal fields masked, and shown when an officer asks", async () => {
    await page.goto(url + "/#/files?q=rents.csv");
    await page.click('#files-table tbody tr a:text("rents.csv")');
    await page.waitForSelector('#lines tr[data-line="2"]');
    const line = async () => page.textContent('#lines tr[data-line="2"] td.text');
    const masked = await line();
    // rsl-rents: the surname (9th field) is personal; the pay reference (2nd) is not.
    const fields = masked.split(",");
    if (!/^\*+$/.test(fields[8]) || /\*/.test(fields[1])) throw new Error(`masked: ${masked}`);
    await page.check("#show-personal");
    await page.waitForFunction((before) => document.querySelector(
      '#lines tr[data-line="2"] td.text').textContent !== before, masked);
    const shown = (await line()).split(",");
    if (!/^[A-Z]+$/.test(shown[8])) throw new Error(`unmasked: ${shown.join(",")}`);
    await page.uncheck("#show-personal");
  });
  await step("the VOA's lists, and a schedule that did not balance beside its findings", async () => {
    await page.click("#nav-voa");
    await page.waitForSelector('#voa-table tr[data-ba="0114"]');
    const row = await page.textContent('#voa-table tr[data-ba="0114"]');
    if (!/business rates/.test(row) || !/schedule 1 of 15-NOV-2026/.test(row)) throw new Error(row);
    await shot("9-voa.png");
    await axe("VOA");
    await page.click('#voa-waiting a:text("schedule-2.txt")');
    await page.waitForSelector("#balance-box:not([hidden])");
    const balance = await page.textContent("#balance");
    if (!/NOT BALANCED/.test(balance)) throw new Error(balance);
    const list = await page.textContent("#finding-list");
    if (!/voa\.balance/.test(list)) throw new Error(list);
    await shot("10-voa-schedule-quarantined.png");
    await axe("VOA schedule");
  });
  await step("the console works with the keyboard alone, focus always shown", async () => {
    // Tab until the focused element is what `wanted` picks; each focus must be visible.
    const tabTo = async (what, wanted) => {
      for (let i = 0; i < 80; i++) {
        await page.keyboard.press("Tab");
        const focus = await page.evaluate(() => {
          const a = document.activeElement;
          const style = a ? getComputedStyle(a) : null;
          return { id: a && a.id, href: a && a.getAttribute("href"), text: a && a.textContent,
            tag: a && a.tagName, outline: style ? style.outlineStyle : "none",
            focus: a && a.matches(":focus"), visible: a && a.matches(":focus-visible"),
            hasFocus: document.hasFocus() };
        });
        if (focus.tag !== "BODY" && focus.outline === "none") {
          throw new Error(`focus on ${focus.tag}#${focus.id} (${focus.text}) is not shown ` +
            `(:focus ${focus.focus}, :focus-visible ${focus.visible}, page focused ${focus.hasFocus})`);
        }
        if (wanted(focus)) return;
      }
      throw new Error(`Tab never reached ${what}`);
    };
    await page.goto(url + "/#/quarantine");
    await page.waitForSelector("#quarantine-view:not([hidden])");
    await tabTo("the Rules link", (f) => f.href === "#/rules");
    await page.keyboard.press("Enter");
    await page.waitForSelector("#rules-view:not([hidden])");
    await tabTo("the search field", (f) => f.id === "rules-find");
    await page.keyboard.type("modulus.failed");
    await tabTo("the rule", (f) => f.href === "#/rules/bacs18.modulus.failed");
    await page.keyboard.press("Enter");
    await page.waitForFunction(() => document.getElementById("rule-id").textContent ===
      "bacs18.modulus.failed");
    await tabTo("the Quarantine link", (f) => f.href === "#/quarantine");
    await page.keyboard.press("Enter");
    await tabTo("a quarantined file", (f) => f.href === `#/file/${otherId}`);
    await page.keyboard.press("Enter");
    await page.waitForSelector("#file-view:not([hidden]) #finding-list li");
    await tabTo("Reject", (f) => f.id === "act-reject");
    await page.keyboard.press("Enter");
    await page.waitForSelector("#reason-dialog[open]");
    const focused = await page.evaluate(() => document.activeElement.id);
    if (focused !== "reason-text") throw new Error(`the dialog opened with focus on ${focused}`);
    await page.keyboard.press("Escape");
    await page.waitForFunction(() => !document.getElementById("reason-dialog").open);
    if ((await page.evaluate(() => document.activeElement.id)) !== "act-reject") {
      throw new Error("closing the dialog did not return focus to its button");
    }
  });
  await step("axe-core found nothing on any view", async () => {
    const views = ["sign-in", "quarantine", "file", "rule page", "rules", "reason dialog", "feeds",
      "approvals", "returns", "files", "archived file", "VOA", "VOA schedule"];
    const missed = views.filter((v) => !accessible.has(v));
    if (missed.length) throw new Error(`not checked: ${missed.join(", ")}`);
  });
  await step("the session survives the daemon's restart", async () => {
    const after = execFileSync(restart, { encoding: "utf8", timeout: 30000 }).trim();
    if (!/^http/.test(after)) throw new Error(`restarted at: ${after}`);
    await page.goto(after + "/#/quarantine");
    await page.waitForSelector("#quarantine-view:not([hidden])", { timeout: 10000 });
    if (!(await page.isHidden("#login-view"))) throw new Error("asked to sign in again");
    const who = await page.textContent("#who-name");
    if (who !== user) throw new Error(`signed in as ${who}`);
  });
  await step("no script errors", async () => {
    if (errors.length) throw new Error(errors.join("; "));
  });
  await browser.close();
  console.log(reason);
}

main().catch((e) => {
  console.error(`FAIL ${e.message}`);
  process.exit(1);
});
