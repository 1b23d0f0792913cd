-- The rest of the ONS codes postcodes.io answers with (issue 10): European electoral region,
-- primary care trust and the ITL/LAU code (`itl`, ONSPD's former `nuts`: codes.lau2, and through
-- nuts.json the ITL code and name). `pseudo_codes` names the code columns whose value in the
-- file was a pseudo code (E99999999 "no such area"): they stay NULL in their columns, and the
-- postcodes.io answers write the placeholder back in `codes.*` as postcodes.io does.
ALTER TABLE postcodes
    ADD COLUMN eer text,
    ADD COLUMN pct text,
    ADD COLUMN itl text,
    ADD COLUMN pseudo_codes text[] NOT NULL DEFAULT '{}';
