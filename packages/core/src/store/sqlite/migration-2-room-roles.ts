/**
 * Migration 2 (SQLite): room roles, private rooms, bans, mutes and invitations.
 * - rooms.is_private: a private room keeps kind 'public' (the CHECK constraint of kind cannot change in place).
 * - memberships.role: the creator of each public room becomes its owner; the lobby (created_by 0) has none.
 * - Bans, mutes and invitations are rows of their own: they outlive a membership (a banned member is not in the
 *   room; a muted one who leaves and comes back is still muted).
 */
export const ROOMS_AND_ROLES_SQL = `
  ALTER TABLE rooms ADD COLUMN is_private INTEGER NOT NULL DEFAULT 0 CHECK (is_private IN (0, 1));
  ALTER TABLE memberships ADD COLUMN role TEXT NOT NULL DEFAULT 'member'
    CHECK (role IN ('owner', 'moderator', 'member'));
  UPDATE memberships SET role = 'owner'
   WHERE EXISTS (SELECT 1 FROM rooms r
                  WHERE r.id = memberships.room_id AND r.kind = 'public' AND r.created_by = memberships.member_id);
  CREATE INDEX memberships_by_role ON memberships (room_id, role, joined_at_ms);
  CREATE TABLE room_bans (
    room_id TEXT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    member_id INTEGER NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    -- NULL: until lifted.
    until_ms INTEGER,
    by_member_id INTEGER NOT NULL,
    at_ms INTEGER NOT NULL,
    PRIMARY KEY (room_id, member_id)
  );
  CREATE TABLE room_mutes (
    room_id TEXT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    member_id INTEGER NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    until_ms INTEGER,
    by_member_id INTEGER NOT NULL,
    at_ms INTEGER NOT NULL,
    PRIMARY KEY (room_id, member_id)
  );
  CREATE INDEX room_bans_by_member ON room_bans (member_id);
  CREATE INDEX room_mutes_by_member ON room_mutes (member_id);
  CREATE TABLE room_invitations (
    room_id TEXT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    member_id INTEGER NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    invited_by INTEGER NOT NULL,
    at_ms INTEGER NOT NULL,
    PRIMARY KEY (room_id, member_id)
  );
  CREATE INDEX room_invitations_by_member ON room_invitations (member_id, at_ms);
`;
