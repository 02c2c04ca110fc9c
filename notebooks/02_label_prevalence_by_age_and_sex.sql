-- Databricks notebook source
-- MAGIC %md
-- MAGIC # Label prevalence by age band and sex
-- MAGIC
-- MAGIC How often each CheXpert observation is positive, per `age_band` (0-17, 18-39, 40-64, 65-89, 90+) and `sex`
-- MAGIC (M, F, O, or null when the header did not say). Prevalence = positive studies / labeled studies of the group;
-- MAGIC uncertain mentions (-1) are reported apart, never counted as positive.

-- COMMAND ----------

-- MAGIC %md
-- MAGIC ## 1. Labeled studies per group
-- MAGIC Small groups give unstable prevalences: check the counts first.

-- COMMAND ----------

WITH demographics AS (
  SELECT study_instance_uid, min(age_band) AS age_band, min(sex) AS sex
  FROM silver.instances
  GROUP BY study_instance_uid
)
SELECT d.age_band, d.sex, count(*) AS labeled_studies
FROM gold.study_labels l
JOIN demographics d ON d.study_instance_uid = l.study_instance_uid
GROUP BY d.age_band, d.sex
ORDER BY d.age_band, d.sex

-- COMMAND ----------

-- MAGIC %md
-- MAGIC ## 2. Prevalence of every observation
-- MAGIC `UNPIVOT` turns the 14 label columns into (observation, value) rows, so one query covers them all.

-- COMMAND ----------

WITH demographics AS (
  SELECT study_instance_uid, min(age_band) AS age_band, min(sex) AS sex
  FROM silver.instances
  GROUP BY study_instance_uid
),
labels AS (
  SELECT study_instance_uid, observation, value
  FROM gold.study_labels
  UNPIVOT (value FOR observation IN (
    no_finding, enlarged_cardiomediastinum, cardiomegaly, lung_opacity, lung_lesion, edema, consolidation,
    pneumonia, atelectasis, pneumothorax, pleural_effusion, pleural_other, fracture, support_devices))
)
SELECT d.age_band,
       d.sex,
       l.observation,
       count(DISTINCT l.study_instance_uid)                                   AS studies_mentioning,
       sum(CASE WHEN l.value = 1 THEN 1 ELSE 0 END)                          AS positive,
       sum(CASE WHEN l.value = -1 THEN 1 ELSE 0 END)                         AS uncertain,
       round(sum(CASE WHEN l.value = 1 THEN 1 ELSE 0 END) * 1.0 / g.labeled_studies, 3) AS prevalence
FROM labels l
JOIN demographics d ON d.study_instance_uid = l.study_instance_uid
JOIN (
  SELECT d2.age_band, d2.sex, count(*) AS labeled_studies
  FROM gold.study_labels l2
  JOIN demographics d2 ON d2.study_instance_uid = l2.study_instance_uid
  GROUP BY d2.age_band, d2.sex
) g ON g.age_band IS NOT DISTINCT FROM d.age_band AND g.sex IS NOT DISTINCT FROM d.sex
GROUP BY d.age_band, d.sex, l.observation, g.labeled_studies
ORDER BY l.observation, d.age_band, d.sex

-- COMMAND ----------

-- MAGIC %md
-- MAGIC ## 3. Prevalence per split
-- MAGIC The same for pleural effusion per split (`gold.splits`, one row per patient pseudonym): the splits should look
-- MAGIC alike; a large difference is worth a look before training.

-- COMMAND ----------

SELECT s.split,
       count(*) AS labeled_studies,
       round(avg(CASE WHEN l.pleural_effusion = 1 THEN 1.0 ELSE 0.0 END), 3) AS pleural_effusion_prevalence,
       round(avg(CASE WHEN l.cardiomegaly = 1 THEN 1.0 ELSE 0.0 END), 3)     AS cardiomegaly_prevalence
FROM gold.study_labels l
JOIN gold.splits s ON s.patient_id = l.patient_id
GROUP BY s.split
ORDER BY s.split
