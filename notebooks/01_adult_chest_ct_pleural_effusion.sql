-- Databricks notebook source
-- MAGIC %md
-- MAGIC # Adult chest CTs with pleural effusion, by site and vendor
-- MAGIC
-- MAGIC A first cohort query. It reads only **silver** and **gold** (de-identified): `silver.instances` has one row per
-- MAGIC DICOM instance with normalized columns (`modality`, `body_part`, `age_years`, `site`, `vendor`), and
-- MAGIC `gold.study_labels` has one row per study with the 14 CheXpert observations coded 1 (positive), 0 (negative),
-- MAGIC -1 (uncertain) or null (not mentioned).
-- MAGIC
-- MAGIC Locally each cell runs with `lakehouse query "<cell>" --lake ./lake`; on Databricks, import this file as a SQL notebook.

-- COMMAND ----------

-- MAGIC %md
-- MAGIC ## 1. One row per study
-- MAGIC Instances repeat the study's attributes, so first reduce to studies. A study counts as an adult chest CT when any of
-- MAGIC its instances says so (CT, body part CHEST, age 18 or more at the time of the study).

-- COMMAND ----------

SELECT count(DISTINCT study_instance_uid) AS adult_chest_ct_studies,
       count(DISTINCT person_id)          AS people
FROM silver.instances
WHERE modality = 'CT' AND body_part = 'CHEST' AND age_years >= 18

-- COMMAND ----------

-- MAGIC %md
-- MAGIC ## 2. The cohort by site and vendor
-- MAGIC `pleural_effusion = 1` keeps positive mentions only; uncertain ones (-1) are counted apart so you can decide how to
-- MAGIC treat them. Studies without a usable report have no row in `gold.study_labels` and are counted as `unlabeled`.

-- COMMAND ----------

WITH studies AS (
  SELECT study_instance_uid,
         min(site)   AS site,
         min(vendor) AS vendor,
         min(person_id) AS person_id
  FROM silver.instances
  WHERE modality = 'CT' AND body_part = 'CHEST' AND age_years >= 18
  GROUP BY study_instance_uid
)
SELECT s.site,
       s.vendor,
       count(*)                                                  AS studies,
       sum(CASE WHEN l.pleural_effusion = 1 THEN 1 ELSE 0 END)  AS effusion_positive,
       sum(CASE WHEN l.pleural_effusion = -1 THEN 1 ELSE 0 END) AS effusion_uncertain,
       sum(CASE WHEN l.study_instance_uid IS NULL THEN 1 ELSE 0 END) AS unlabeled
FROM studies s
LEFT JOIN gold.study_labels l ON l.study_instance_uid = s.study_instance_uid
GROUP BY s.site, s.vendor
ORDER BY s.site, s.vendor

-- COMMAND ----------

-- MAGIC %md
-- MAGIC ## 3. The study list of the cohort
-- MAGIC Pseudonymous identifiers only: `person_id` groups studies of one person across sites (use it, not `patient_id`,
-- MAGIC to keep a person's studies in one split). `evidence` holds the report spans the labeler matched.

-- COMMAND ----------

SELECT l.person_id,
       l.study_instance_uid,
       i.site,
       i.vendor,
       i.age_band,
       i.sex,
       l.method,
       l.evidence
FROM gold.study_labels l
JOIN (
  SELECT study_instance_uid, min(site) AS site, min(vendor) AS vendor, min(age_band) AS age_band, min(sex) AS sex
  FROM silver.instances
  WHERE modality = 'CT' AND body_part = 'CHEST' AND age_years >= 18
  GROUP BY study_instance_uid
) i ON i.study_instance_uid = l.study_instance_uid
WHERE l.pleural_effusion = 1
ORDER BY i.site, l.person_id
LIMIT 100
