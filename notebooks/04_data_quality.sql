-- Databricks notebook source
-- MAGIC %md
-- MAGIC # Data quality: ingestion errors and unmapped values
-- MAGIC
-- MAGIC Where the data lost rows or meaning on the way in. The error tables live in **bronze** (restricted: they keep the
-- MAGIC source path, which can name a patient) — this notebook only counts by reason and never selects `source_path`.

-- COMMAND ----------

-- MAGIC %md
-- MAGIC ## 1. DICOM files that could not be read, by reason
-- MAGIC `Truncated`, `NotDicom`, `InvalidStructure`, ... (see `bronze.dicom_errors.reason`). `message` names the file by
-- MAGIC its number in the run, the byte offset and the tag — no header values.

-- COMMAND ----------

SELECT reason, count(*) AS files, min(ingested_at) AS first_seen, max(ingested_at) AS last_seen
FROM bronze.dicom_errors
GROUP BY reason
ORDER BY files DESC

-- COMMAND ----------

-- MAGIC %md
-- MAGIC ## 2. Duplicates and conflicts
-- MAGIC A `duplicate` is the same SOP instance landed twice with the same header; a `conflict` is the same SOP Instance UID
-- MAGIC with a different header (e.g. another patient ID) — those need a look before linking patients.

-- COMMAND ----------

SELECT kind, count(*) AS instances
FROM bronze.dicom_duplicates
GROUP BY kind
ORDER BY kind

-- COMMAND ----------

-- MAGIC %md
-- MAGIC ## 3. Report records rejected, by reason
-- MAGIC Ingestion creates `bronze.report_errors` (and `bronze.dicom_errors`) with its first error: on a lake that never had
-- MAGIC one, the table does not exist yet and this cell says so.

-- COMMAND ----------

SELECT reason, count(*) AS records
FROM bronze.report_errors
GROUP BY reason
ORDER BY records DESC

-- COMMAND ----------

-- MAGIC %md
-- MAGIC ## 4. Unmapped values after normalization
-- MAGIC `silver.instances.unmapped` lists the normalized fields whose raw value matched no reference mapping
-- MAGIC (`pipelines/ref/*.csv`). Per field, how many instances and studies are affected, and which raw values to add to
-- MAGIC the reference files.

-- COMMAND ----------

SELECT sum(CASE WHEN unmapped <> '' THEN 1 ELSE 0 END)                          AS instances_with_unmapped,
       count(*)                                                                AS instances,
       sum(CASE WHEN concat(',', unmapped, ',') LIKE '%,body_part,%' THEN 1 ELSE 0 END) AS body_part_unmapped,
       sum(CASE WHEN concat(',', unmapped, ',') LIKE '%,vendor,%' THEN 1 ELSE 0 END)    AS vendor_unmapped,
       sum(CASE WHEN concat(',', unmapped, ',') LIKE '%,model,%' THEN 1 ELSE 0 END)     AS model_unmapped,
       sum(CASE WHEN concat(',', unmapped, ',') LIKE '%,study_type,%' THEN 1 ELSE 0 END) AS study_type_unmapped,
       sum(CASE WHEN concat(',', unmapped, ',') LIKE '%,site,%' THEN 1 ELSE 0 END)      AS site_unmapped
FROM silver.instances

-- COMMAND ----------

SELECT unmapped,
       count(*)                           AS instances,
       count(DISTINCT study_instance_uid) AS studies,
       min(body_part_examined)            AS example_body_part_examined,
       min(manufacturer)                  AS example_manufacturer,
       min(manufacturer_model_name)       AS example_model
FROM silver.instances
WHERE unmapped <> ''
GROUP BY unmapped
ORDER BY instances DESC

-- COMMAND ----------

-- MAGIC %md
-- MAGIC ## 5. Reports and studies that could not be matched
-- MAGIC `gold.label_alignment_issues`: reports without a study, studies without a report, ambiguous matches.

-- COMMAND ----------

SELECT kind, count(*) AS issues
FROM gold.label_alignment_issues
GROUP BY kind
ORDER BY kind
