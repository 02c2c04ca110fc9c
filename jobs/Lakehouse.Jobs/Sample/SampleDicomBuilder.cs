using System.Globalization;
using Lakehouse.Udfs.Dicom;
using Lakehouse.Udfs.Dicom.Writing;

namespace Lakehouse.Jobs.Sample;

/// <summary>Builds the header and pixels of one planned instance, as the site's device would write them.</summary>
internal static class SampleDicomBuilder
{
    /// <summary>The private creator of the synthetic vendor block (group 0009) that copies patient identity.</summary>
    public const string PrivateCreator = "SYNTHVENDOR PATIENT INFO";

    public static byte[] Encode(SampleInstance instance, SamplePatientRecord record, PixelSize pixels, long seed, DicomTransferSyntax? syntax = null)
    {
        var dataset = Build(instance, record, pixels, seed);
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(pixels == PixelSize.Realistic ? 530_000 : 4096);
        DicomWriter.WriteFile(buffer, dataset, new DicomWriterOptions
        {
            TransferSyntax = syntax ?? instance.Study.TransferSyntax,
            UndefinedLengthSequences = instance.Study.UndefinedLengthSequences,
        });
        return buffer.WrittenSpan.ToArray();
    }

    public static DicomDataset Build(SampleInstance instance, SamplePatientRecord record, PixelSize pixels, long seed)
    {
        var s = instance.Study;
        var t = s.Template;
        var cs = record.CharacterSet;
        var ds = new DicomDataset();
        void Text(DicomTag tag, string? value)
        {
            if (value is not null) ds.Set(DicomElement.FromText(tag, value, cs));
        }
        string date = SamplePlanner.Dicom(s.StudyDate);
        string seriesTime = instance.Series.SeriesTime.ToString("HHmmss", CultureInfo.InvariantCulture);
        string contentTime = instance.Series.SeriesTime.Add(TimeSpan.FromSeconds(instance.InstanceNumber)).ToString("HHmmss", CultureInfo.InvariantCulture);

        if (DicomCharacterSetInfo.DefinedTerm(cs) is { } term) Text(DicomTags.SpecificCharacterSet, term);
        ds.Set(DicomElement.FromTexts(DicomTags.ImageType, DicomVR.CS, t.Modality is "CT" or "MR"
            ? ["ORIGINAL", "PRIMARY", "AXIAL"] : ["ORIGINAL", "PRIMARY"]));
        Text(DicomTags.InstanceCreationDate, date);
        Text(DicomTags.InstanceCreationTime, contentTime);
        Text(DicomTags.SOPClassUID, SampleVocabulary.SopClassUids[t.Modality]);
        Text(DicomTags.SOPInstanceUID, instance.SopInstanceUid);
        Text(DicomTags.StudyDate, date);
        Text(DicomTags.SeriesDate, date);
        Text(DicomTags.AcquisitionDate, date);
        Text(DicomTags.ContentDate, date);
        Text(DicomTags.AcquisitionDateTime, date + s.StudyTime.ToString("HHmmss", CultureInfo.InvariantCulture));
        Text(DicomTags.StudyTime, s.StudyTime.ToString("HHmmss", CultureInfo.InvariantCulture));
        Text(DicomTags.SeriesTime, seriesTime);
        Text(DicomTags.ContentTime, contentTime);
        Text(DicomTags.AccessionNumber, s.AccessionNumber);
        Text(DicomTags.Modality, t.Modality);
        Text(DicomTags.Manufacturer, s.Device.ManufacturerSpelling);
        Text(DicomTags.InstitutionName, record.Site.InstitutionName);
        Text(DicomTags.InstitutionAddress, record.Site.InstitutionAddress);
        Text(DicomTags.ReferringPhysicianName, s.ReferringPhysician);
        Text(DicomTags.StationName, s.Device.StationName);
        Text(DicomTags.StudyDescription, s.Description);
        Text(DicomTags.SeriesDescription, instance.Series.Description);
        Text(DicomTags.InstitutionalDepartmentName, record.Site.Department);
        Text(DicomTags.PerformingPhysicianName, s.PerformingPhysician);
        Text(DicomTags.OperatorsName, s.Operator);
        Text(DicomTags.ManufacturerModelName, s.Device.Model);

        if (s.WritePrivateBlock)
        {
            ds.Set(DicomElement.FromText(new DicomTag(0x0009, 0x0010), DicomVR.LO, PrivateCreator, cs));
            ds.Set(DicomElement.FromText(new DicomTag(0x0009, 0x1001), DicomVR.LO, record.PatientName.Split('=')[0], cs));
            ds.Set(DicomElement.FromText(new DicomTag(0x0009, 0x1002), DicomVR.LO, record.PatientId, cs));
            ds.Set(DicomElement.FromText(new DicomTag(0x0009, 0x1003), DicomVR.DS, "1.5"));
        }

        Text(DicomTags.PatientName, record.PatientName);
        Text(DicomTags.PatientID, record.PatientId);
        Text(DicomTags.IssuerOfPatientID, record.IssuerOfPatientId);
        Text(DicomTags.PatientBirthDate, record.WriteBirthDate ? SamplePlanner.Dicom(record.Person.BirthDate) : "");
        Text(DicomTags.PatientSex, record.Person.Sex);
        if (record.OtherPatientIds.Count > 0)
        {
            ds.Set(DicomElement.FromTexts(DicomTags.OtherPatientIDs, DicomVR.LO, record.OtherPatientIds.Select(o => o.PatientId), cs));
            var items = record.OtherPatientIds.Select(o => new DicomDataset()
                .Set(DicomElement.FromText(DicomTags.PatientID, o.PatientId, cs))
                .Set(DicomElement.FromText(DicomTags.IssuerOfPatientID, o.Issuer, cs))
                .Set(DicomElement.FromText(DicomTags.TypeOfPatientID, "TEXT"))).ToArray();
            ds.Set(DicomElement.FromItems(DicomTags.OtherPatientIDsSequence, items));
        }
        Text(DicomTags.PatientAge, s.PatientAge);
        Text(DicomTags.PatientAddress, record.Address);
        Text(DicomTags.PatientTelephoneNumbers, record.Phone);
        Text(DicomTags.AdditionalPatientHistory, s.AdditionalPatientHistory);

        Text(DicomTags.ContrastBolusAgent, s.ContrastAgent);
        if (s.BodyPartExamined.Length > 0 || instance.Study.Index % 2 == 0) Text(DicomTags.BodyPartExamined, s.BodyPartExamined);
        if (t.Modality is "CT" or "MR") Text(DicomTags.SliceThickness, t.Modality == "CT" ? "2.5" : "4");
        Text(DicomTags.DeviceSerialNumber, s.Device.SerialNumber);
        Text(DicomTags.SoftwareVersions, s.Device.SoftwareVersion);
        if (t.Modality is "CR" or "DX") Text(DicomTags.ViewPosition, t.BodyPart == "CHEST" ? (instance.InstanceNumber == 2 ? "LL" : s.Description.Contains("AP", StringComparison.Ordinal) ? "AP" : "PA") : "AP");

        Text(DicomTags.StudyInstanceUID, s.StudyInstanceUid);
        Text(DicomTags.SeriesInstanceUID, instance.Series.SeriesInstanceUid);
        Text(DicomTags.StudyID, s.StudyId);
        Text(DicomTags.SeriesNumber, instance.Series.SeriesNumber.ToString(CultureInfo.InvariantCulture));
        Text(DicomTags.InstanceNumber, instance.InstanceNumber.ToString(CultureInfo.InvariantCulture));
        if (t.Modality is "CT" or "MR")
        {
            string z = (-100 + instance.InstanceNumber * 2.5).ToString("0.0##", CultureInfo.InvariantCulture);
            ds.Set(DicomElement.FromTexts(DicomTags.ImagePositionPatient, DicomVR.DS, ["-250", "-250", z]));
            ds.Set(DicomElement.FromTexts(DicomTags.ImageOrientationPatient, DicomVR.DS, ["1", "0", "0", "0", "1", "0"]));
            Text(DicomTags.SliceLocation, z);
        }
        Text(DicomTags.ImageComments, s.ImageComments);

        int size = pixels == PixelSize.Realistic ? 512 : 8;
        ds.Set(DicomElement.FromUInt16(DicomTags.SamplesPerPixel, 1));
        Text(DicomTags.PhotometricInterpretation, "MONOCHROME2");
        ds.Set(DicomElement.FromUInt16(DicomTags.Rows, (ushort)size));
        ds.Set(DicomElement.FromUInt16(DicomTags.Columns, (ushort)size));
        if (t.Modality is "CT" or "MR") ds.Set(DicomElement.FromTexts(DicomTags.PixelSpacing, DicomVR.DS, [size == 8 ? "40" : "0.625", size == 8 ? "40" : "0.625"]));
        ds.Set(DicomElement.FromUInt16(DicomTags.BitsAllocated, 16));
        ds.Set(DicomElement.FromUInt16(DicomTags.BitsStored, 12));
        ds.Set(DicomElement.FromUInt16(DicomTags.HighBit, 11));
        ds.Set(DicomElement.FromUInt16(DicomTags.PixelRepresentation, 0));
        if (t.Modality == "CT")
        {
            Text(DicomTags.RescaleIntercept, "-1024");
            Text(DicomTags.RescaleSlope, "1");
        }
        Text(DicomTags.StudyComments, s.StudyComments);
        ds.Set(DicomElement.FromItems(DicomTags.RequestAttributesSequence, new DicomDataset()
            .Set(DicomElement.FromText(DicomTags.AccessionNumber, s.AccessionNumber, cs))
            .Set(DicomElement.FromText(DicomTags.ScheduledProcedureStepID, "SPS" + s.StudyId, cs))
            .Set(DicomElement.FromText(DicomTags.RequestedProcedureID, s.RequestedProcedureId, cs))));
        ds.Set(DicomElement.FromBytes(DicomTags.PixelData, DicomVR.OW, Pixels(size, seed, instance.Ordinal)));
        return ds;
    }

    /// <summary>A disc phantom with noise, 12 bits stored in 16; its own random stream so files can be written in any order.</summary>
    private static byte[] Pixels(int size, long seed, long ordinal)
    {
        var rng = SampleRandom.For(seed, (ulong)ordinal, 0x5049584Cu);
        var bytes = new byte[size * size * 2];
        double c = (size - 1) / 2.0, r2 = size * size * 0.16;
        int i = 0;
        for (int y = 0; y < size; y++)
        {
            for (int x = 0; x < size; x++, i += 2)
            {
                double d2 = (x - c) * (x - c) + (y - c) * (y - c);
                ulong noise = rng.NextUInt64();
                int v = d2 < r2 ? 1000 + (int)(noise & 0xFF) + (int)(d2 * 400 / r2) : (int)(noise & 0x1F);
                bytes[i] = (byte)v;
                bytes[i + 1] = (byte)(v >> 8);
            }
        }
        return bytes;
    }
}
