-- +goose Up
-- Rating the unrated CDRs again (after a card gains the missing prefixes)
-- walks just them by id: a partial index keeps that cheap however many
-- rated CDRs there are.
CREATE INDEX cdrs_unrated ON cdrs(id) WHERE unrated;
