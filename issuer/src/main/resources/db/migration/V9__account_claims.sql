-- Identity claims of an account (e.g. uidNumber, isMemberOf as in the LSST design), a JSON object
-- released in ID tokens and userinfo with the profile scope. NULL: none.
ALTER TABLE account ADD COLUMN claims TEXT;
