-- Databricks notebook source
-- MAGIC %md
-- MAGIC # What changed between two releases
-- MAGIC
-- MAGIC A release (`gold.releases`) pins the version of each gold table it was made from. Delta keeps every version, so
-- MAGIC `VERSION AS OF n` reads a table exactly as a release saw it (time travel) — as long as vacuum has not removed the
-- MAGIC files of that version.

-- COMMAND ----------

-- MAGIC %md
-- MAGIC ## 1. The releases and the table versions they pinned
-- MAGIC Pick two releases and note the `version` of `gold.study_labels` for each.

-- COMMAND ----------

SELECT release, table_name, version, split_version, created_at, code_version
FROM gold.releases
ORDER BY created_at, table_name

-- COMMAND ----------

-- MAGIC %md
-- MAGIC ## 2. Studies added, removed and relabeled
-- MAGIC **Edit the two version numbers** below to the ones found above (older first). Time travel needs literal numbers.

-- COMMAND ----------

WITH old_labels AS (SELECT * FROM gold.study_labels VERSION AS OF 1),
     new_labels AS (SELECT * FROM gold.study_labels VERSION AS OF 2)
SELECT CASE WHEN o.study_instance_uid IS NULL THEN 'added'
            WHEN n.study_instance_uid IS NULL THEN 'removed'
            ELSE 'relabeled' END AS change,
       count(*) AS studies
FROM old_labels o
FULL OUTER JOIN new_labels n ON n.study_instance_uid = o.study_instance_uid
WHERE o.study_instance_uid IS NULL
   OR n.study_instance_uid IS NULL
   OR NOT (o.pleural_effusion IS NOT DISTINCT FROM n.pleural_effusion AND o.cardiomegaly IS NOT DISTINCT FROM n.cardiomegaly AND o.edema IS NOT DISTINCT FROM n.edema
           AND o.no_finding IS NOT DISTINCT FROM n.no_finding AND o.pneumothorax IS NOT DISTINCT FROM n.pneumothorax AND o.consolidation IS NOT DISTINCT FROM n.consolidation)
GROUP BY 1
ORDER BY 1

-- COMMAND ----------

-- MAGIC %md
-- MAGIC ## 3. Which observations changed, and how
-- MAGIC For studies in both versions: per observation, how many went from one value to another (null = not mentioned).

-- COMMAND ----------

WITH old_labels AS (
  SELECT study_instance_uid, observation, value
  FROM gold.study_labels VERSION AS OF 1
  UNPIVOT INCLUDE NULLS (value FOR observation IN (
    no_finding, enlarged_cardiomediastinum, cardiomegaly, lung_opacity, lung_lesion, edema, consolidation,
    pneumonia, atelectasis, pneumothorax, pleural_effusion, pleural_other, fracture, support_devices))
),
new_labels AS (
  SELECT study_instance_uid, observation, value
  FROM gold.study_labels VERSION AS OF 2
  UNPIVOT INCLUDE NULLS (value FOR observation IN (
    no_finding, enlarged_cardiomediastinum, cardiomegaly, lung_opacity, lung_lesion, edema, consolidation,
    pneumonia, atelectasis, pneumothorax, pleural_effusion, pleural_other, fracture, support_devices))
)
SELECT o.observation, o.value AS old_value, n.value AS new_value, count(*) AS studies
FROM old_labels o
JOIN new_labels n ON n.study_instance_uid = o.study_instance_uid AND n.observation = o.observation
WHERE NOT (o.value IS NOT DISTINCT FROM n.value)
GROUP BY o.observation, o.value, n.value
ORDER BY o.observation, studies DESC

-- COMMAND ----------

-- MAGIC %md
-- MAGIC ## 4. Did any patient move between splits?
-- MAGIC A patient who changes split between releases leaks their old images into the other split of models trained on
-- MAGIC both: this should return no rows unless the split version changed on purpose.

-- COMMAND ----------

SELECT o.split AS old_split, n.split AS new_split, count(*) AS patients
FROM gold.splits VERSION AS OF 1 o
JOIN gold.splits n ON n.patient_id = o.patient_id
WHERE o.split <> n.split
GROUP BY o.split, n.split
