import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { dayKey, dayLabel } from "../src/dates.ts";
import { seenByText } from "../src/message-list-view.ts";
import { ReadCursors } from "../src/read-cursors.ts";

describe("ReadCursors (seen by …)", () => {
  it("seeds from the members' cursors, moves forward on receipts, and leaves out the viewer and the sender", () => {
    const cursors = new ReadCursors();
    cursors.seed("club", [
      { id: 1, username: "me", ackedSeq: 9 },
      { id: 2, username: "bob", ackedSeq: 4 },
      { id: 3, username: "carol", ackedSeq: 5 },
      { id: 4, username: "ann", ackedSeq: 5 },
    ]);
    assert.deepEqual(cursors.seenBy("club", 5, [1, 3]), ["ann"]);
    assert.equal(cursors.read("club", 2, "bob", 5), true);
    assert.equal(cursors.read("club", 2, "bob", 3), false, "never backwards");
    assert.deepEqual(cursors.seenBy("club", 5, [1]), ["ann", "bob", "carol"]);
    cursors.seed("club", [{ id: 2, username: "bob", ackedSeq: 1 }]);
    assert.deepEqual(cursors.seenBy("club", 5, []), ["bob"], "a stale page does not undo a receipt");
    cursors.forget("club", 2);
    assert.deepEqual(cursors.seenBy("club", 1, []), []);
    assert.equal(cursors.read("elsewhere", 2, "bob", 1), true);
  });

  it("words the line for one, two, three and more readers", () => {
    assert.equal(seenByText(["bob"]), "Seen by bob");
    assert.equal(seenByText(["bob", "carol"]), "Seen by bob and carol");
    assert.equal(seenByText(["a", "b", "c"]), "Seen by a, b and c");
    assert.equal(seenByText(["a", "b", "c", "d", "e"]), "Seen by a, b and 3 others");
  });
});

describe("date separators", () => {
  it("labels today, yesterday and older days", () => {
    const now = new Date(2025, 2, 14, 10, 0).getTime();
    assert.equal(dayLabel(new Date(2025, 2, 14, 0, 1).getTime(), now), "Today");
    assert.equal(dayLabel(new Date(2025, 2, 13, 23, 59).getTime(), now), "Yesterday");
    assert.match(dayLabel(new Date(2025, 2, 10).getTime(), now), /10/);
    assert.match(dayLabel(new Date(2023, 2, 10).getTime(), now), /2023/);
    assert.notEqual(dayKey(new Date(2025, 2, 13, 23, 59).getTime()), dayKey(now));
  });
});
