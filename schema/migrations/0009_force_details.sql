-- Force details as police.uk publishes them (`crimemap import forces`): /api/forces/{id} already
-- reads forces.description, url, telephone and engagement_methods; senior officers
-- (/api/forces/{id}/people) live here.
CREATE TABLE force_people (
    force_id        text NOT NULL REFERENCES forces (id),
    seq             integer NOT NULL,           -- order in the imported list
    name            text NOT NULL,
    rank            text,
    bio             text,
    contact_details jsonb NOT NULL DEFAULT '{}',
    PRIMARY KEY (force_id, seq)
);
