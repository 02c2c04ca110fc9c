using Lakehouse.Udfs.Dicom.Writing;

namespace Lakehouse.Jobs.Sample;

/// <summary>The name culture of a site: picks name pools, address and phone formats.</summary>
internal enum NameCulture { English, German, Norwegian, Japanese }

/// <summary>A synthetic site: its institution identity and local conventions.</summary>
internal sealed record SampleSite(
    string SiteId,
    string InstitutionName,
    string InstitutionAddress,
    string Department,
    string[] StationNames,
    string? IssuerOfPatientId,
    NameCulture Culture,
    DicomCharacterSet CharacterSet,
    bool UpperCaseNames,
    string AccessionPrefix,
    int AccessionDigits,
    int Weight);

/// <summary>One study template: modality, intended body part, the local ways to describe and tag it.</summary>
internal sealed record StudyTemplate(
    string Modality,
    string BodyPart,
    string Contrast,
    string[] Descriptions,
    string[] BodyPartSpellings,
    int MinSeries,
    int MaxSeries,
    int MinInstances,
    int MaxInstances,
    bool IsChest,
    int Weight,
    bool FemaleOnly = false);

/// <summary>A manufacturer's canonical name, the spellings devices write and its models per modality.</summary>
internal sealed record Manufacturer(string Canonical, string[] Spellings, Dictionary<string, string[]> Models);

/// <summary>The fixed vocabularies of the synthetic archive: sites, names, manufacturers, study types, report phrases.</summary>
internal static class SampleVocabulary
{
    public static readonly SampleSite[] Sites =
    [
        new("S1", "Riverside Medical Center", "1200 River Road, Springfield, IL 62701, USA", "Radiology",
            ["RMC_CT01", "RMC-MR-3T", "RMCXR2", "ERDX01", "RMC_US1", "RMCMAMMO"], "RIVERSIDE_MC", NameCulture.English,
            DicomCharacterSet.Default, true, "E", 7, 30),
        new("S2", "Klinikum Nordstadt Hamburg", "Nordstraße 40, 22085 Hamburg, Deutschland", "Radiologie",
            ["KNCT1", "KN_MRT_A", "KNROE2", "KN_MAMMO", "KNSONO3"], "KLINIKUM_NORD", NameCulture.German,
            DicomCharacterSet.IsoIr100, false, "KN", 9, 20),
        new("S3", "Fjordvik Sykehus", "Sjøgata 14, 8006 Bodø, Norge", "Bildediagnostikk",
            ["FJCT01", "FJMR15", "FJRTG3", "FJUL2", "FJMAMMO"], "FJORDVIK_HF", NameCulture.Norwegian,
            DicomCharacterSet.IsoIr192, false, "", 10, 15),
        new("S4", "St. Anne Community Hospital", "77 Chapel Avenue, Fairview, OH 44126, USA", "Imaging",
            ["CT_SCANNER", "XRAY1", "US-ROOM2", "MRI_1", "MAMMO_A"], null, NameCulture.English,
            DicomCharacterSet.Default, false, "SA", 6, 20),
        new("S5", "Sakura Imaging Clinic", "東京都世田谷区桜丘3-12-5", "放射線科",
            ["SKCT01", "SKMR01", "SKDR02", "SKUS01", "SKMG01"], null, NameCulture.Japanese,
            DicomCharacterSet.IsoIr192, true, "SK", 8, 15),
    ];

    public static readonly Manufacturer[] Manufacturers =
    [
        new("GE HealthCare", ["GE MEDICAL SYSTEMS", "GE Healthcare", "GE HealthCare", "GEMS", "ge medical systems"], new()
        {
            ["CT"] = ["LightSpeed VCT", "Revolution CT"], ["MR"] = ["SIGNA Premier", "Optima MR450w"],
            ["DX"] = ["Discovery XR656"], ["MG"] = ["Senographe Pristina"], ["US"] = ["LOGIQ E10"],
        }),
        new("Siemens Healthineers", ["SIEMENS", "Siemens Healthineers", "Siemens", "SIEMENS HEALTHINEERS"], new()
        {
            ["CT"] = ["SOMATOM Definition AS", "SOMATOM Force"], ["MR"] = ["MAGNETOM Skyra", "MAGNETOM Aera"],
            ["DX"] = ["Ysio Max"], ["MG"] = ["MAMMOMAT Revelation"], ["US"] = ["ACUSON Sequoia"],
        }),
        new("Philips", ["Philips Medical Systems", "Philips", "PHILIPS", "Philips Healthcare"], new()
        {
            ["CT"] = ["Ingenuity CT", "IQon Spectral CT"], ["MR"] = ["Ingenia", "Achieva"], ["DX"] = ["DigitalDiagnost"],
            ["US"] = ["EPIQ 7"],
        }),
        new("Canon Medical Systems", ["TOSHIBA_MEC", "CANON_MEC", "Canon Medical Systems", "TOSHIBA"], new()
        {
            ["CT"] = ["Aquilion ONE", "Aquilion Prime"], ["MR"] = ["Vantage Orian"], ["DX"] = ["RADREX-i"], ["US"] = ["Aplio i800"],
        }),
        new("Fujifilm", ["FUJIFILM Corporation", "FUJI PHOTO FILM Co., ltd.", "Fujifilm"], new()
        {
            ["CR"] = ["FCR Capsula XL II"], ["DX"] = ["FDR D-EVO II"], ["MG"] = ["AMULET Innovality"],
        }),
        new("Hologic", ["HOLOGIC, Inc.", "Hologic", "LORAD"], new() { ["MG"] = ["Selenia Dimensions", "3Dimensions"] }),
        new("Agfa", ["Agfa", "AGFA", "Agfa-Gevaert"], new() { ["CR"] = ["CR 85-X"], ["DX"] = ["DX-D 300"] }),
        new("Carestream", ["Carestream Health", "CARESTREAM HEALTH", "Carestream"], new()
        {
            ["CR"] = ["DirectView CR 975"], ["DX"] = ["DRX-Evolution"],
        }),
    ];

    public static readonly StudyTemplate[] Studies =
    [
        new("CR", "CHEST", "unknown", ["Chest 2 views", "XR CHEST PA AND LATERAL", "CHEST PA/LAT", "Thorax pa + lat"],
            ["CHEST", "CHEST", "THORAX", "Chest", "LUNG", ""], 1, 1, 1, 2, true, 18),
        new("DX", "CHEST", "unknown", ["CXR PORTABLE", "XR CHEST 1 VIEW", "DX CHEST AP PORTABLE", "Chest AP"],
            ["CHEST", "CHEST", "THORAX", "Chest", "LUNG", ""], 1, 1, 1, 2, true, 17),
        new("CT", "CHEST", "yes", ["CT THORAX W/ CONTRAST", "CT CHEST WITH CONTRAST", "CT Chest w contrast"],
            ["CHEST", "THORAX", "Chest", "LUNG", ""], 1, 3, 20, 40, true, 6),
        new("CT", "CHEST", "no", ["CT CHEST WO CONTRAST", "CT THORAX W/O CONTRAST", "CT Chest without contrast"],
            ["CHEST", "THORAX", "Chest", ""], 1, 2, 20, 40, true, 5),
        new("CT", "HEAD", "no", ["CT HEAD WO", "CT HEAD W/O CONTRAST", "CT Head without contrast"],
            ["HEAD", "Head", "SKULL", ""], 1, 2, 20, 36, false, 4),
        new("CT", "ABDOMEN", "yes", ["CT ABDOMEN W CONTRAST", "CT ABDOMEN WITH CONTRAST", "CT Abdomen w/ contrast"],
            ["ABDOMEN", "ABD", "Abdomen", ""], 1, 3, 24, 40, false, 4),
        new("CT", "CSPINE", "no", ["CT C-SPINE WO", "CT CERVICAL SPINE W/O CONTRAST"],
            ["CSPINE", "C-SPINE", "CERVICAL SPINE"], 1, 2, 20, 30, false, 2),
        new("MR", "BRAIN", "no", ["MRI BRAIN WO", "MR BRAIN WITHOUT CONTRAST", "MRI Brain w/o contrast"],
            ["BRAIN", "Brain", "brain", ""], 2, 3, 20, 32, false, 4),
        new("MR", "BRAIN", "yes", ["MRI BRAIN W CONTRAST", "MR BRAIN WITH CONTRAST"],
            ["BRAIN", "Brain", ""], 2, 3, 20, 32, false, 2),
        new("MR", "KNEE", "no", ["MRI KNEE RT WO", "MR KNEE LEFT W/O CONTRAST", "MRI Knee without contrast"],
            ["KNEE", "Knee", "RIGHT KNEE"], 1, 3, 20, 28, false, 3),
        new("MR", "LSPINE", "no", ["MR L-SPINE WO", "MRI LUMBAR SPINE W/O CONTRAST"],
            ["LSPINE", "L-SPINE", "LUMBAR SPINE", "Lumbar Spine"], 1, 3, 20, 28, false, 3),
        new("MG", "BREAST", "unknown", ["MAMMO SCREENING BILAT", "MG SCREENING BILATERAL 3D", "Mammographie Screening"],
            ["BREAST", "Breast", ""], 1, 1, 2, 4, false, 7, FemaleOnly: true),
        new("US", "ABDOMEN", "unknown", ["US ABDOMEN COMPLETE", "US ABD LTD", "Sono Abdomen"],
            ["ABDOMEN", "ABD", "Abdomen"], 1, 1, 1, 3, false, 4),
        new("US", "PELVIS", "unknown", ["US PELVIS TRANSABDOMINAL", "US PELVIC"], ["PELVIS", "Pelvis"], 1, 1, 1, 3, false, 2),
        new("DX", "KNEE", "unknown", ["XR KNEE 3 VIEWS", "KNEE AP/LAT", "Knie 2 Ebenen"], ["KNEE", "Knee", "KNEE"], 1, 1, 2, 3, false, 3),
    ];

    /// <summary>SNOMED CT codes of the body part vocabulary.</summary>
    public static readonly Dictionary<string, (string Code, string Meaning)> BodyPartSnomed = new()
    {
        ["CHEST"] = ("816094009", "Chest"), ["HEAD"] = ("69536005", "Head"), ["BRAIN"] = ("12738006", "Brain"),
        ["ABDOMEN"] = ("818981001", "Abdomen"), ["PELVIS"] = ("816092008", "Pelvis"), ["BREAST"] = ("76752008", "Breast"),
        ["KNEE"] = ("72696002", "Knee"), ["CSPINE"] = ("122494005", "Cervical spine"), ["LSPINE"] = ("122496007", "Lumbar spine"),
    };

    public static readonly Dictionary<string, string> SopClassUids = new()
    {
        ["CT"] = "1.2.840.10008.5.1.4.1.1.2", ["MR"] = "1.2.840.10008.5.1.4.1.1.4", ["CR"] = "1.2.840.10008.5.1.4.1.1.1",
        ["DX"] = "1.2.840.10008.5.1.4.1.1.1.1", ["MG"] = "1.2.840.10008.5.1.4.1.1.1.2", ["US"] = "1.2.840.10008.5.1.4.1.1.6.1",
    };

    public static readonly string[] ContrastAgents = ["IOHEXOL", "Omnipaque 350", "Iopamidol 370", "GADOBUTROL", "Gadavist"];

    // Name pools: (family, given-male, given-female). Japanese entries are "Romaji|Kanji".
    public static (string[] Family, string[] Male, string[] Female) Names(NameCulture culture) => culture switch
    {
        NameCulture.German => (
            ["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann", "Schäfer", "Koch",
             "Bauer", "Richter", "Klein", "Wolf", "Schröder", "Neumann", "Schwarz", "Zimmermann", "Braun", "Krüger", "Hartmann", "Köhler", "Groß"],
            ["Jürgen", "Klaus", "Stefan", "Andreas", "Wolfgang", "Jörg", "Günther", "Matthias", "Björn", "Tobias", "Dieter"],
            ["Ursula", "Monika", "Petra", "Sabine", "Renate", "Käthe", "Bärbel", "Claudia", "Susanne", "Hannelore", "Jutta"]),
        NameCulture.Norwegian => (
            ["Ødegård", "Hansen", "Johansen", "Olsen", "Larsen", "Andersen", "Pedersen", "Nilsen", "Kristiansen", "Jensen", "Karlsen",
             "Haugen", "Hagen", "Dahl", "Jørgensen", "Halvorsen", "Sørensen", "Strøm", "Bjørnstad", "Aasen", "Solberg", "Næss"],
            ["Ole", "Lars", "Knut", "Bjørn", "Arne", "Håkon", "Øyvind", "Jørgen", "Espen", "Eirik", "Sindre"],
            ["Åse", "Ingrid", "Kari", "Solveig", "Marit", "Sigrid", "Ragnhild", "Tove", "Astrid", "Bente", "Gunnhild"]),
        NameCulture.Japanese => (
            ["Yamada|山田", "Tanaka|田中", "Suzuki|鈴木", "Takahashi|高橋", "Watanabe|渡辺", "Ito|伊藤", "Nakamura|中村", "Kobayashi|小林",
             "Kato|加藤", "Yoshida|吉田", "Sasaki|佐々木", "Yamamoto|山本", "Matsumoto|松本", "Inoue|井上"],
            ["Taro|太郎", "Hiroshi|浩", "Kenji|健二", "Takashi|隆", "Daisuke|大輔", "Shota|翔太", "Makoto|誠", "Ichiro|一郎"],
            ["Hanako|花子", "Yuki|由紀", "Keiko|恵子", "Aiko|愛子", "Sakura|さくら", "Yoko|洋子", "Naoko|直子", "Emiko|恵美子"]),
        _ => (
            ["Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez", "Wilson", "Anderson",
             "Thomas", "Taylor", "Moore", "Jackson", "Martin", "Thompson", "White", "Harris", "Clark", "Lewis", "Robinson", "Walker",
             "Young", "Allen", "King", "Wright", "Scott", "Green", "Baker", "Adams", "Nelson", "Campbell", "Mitchell", "Roberts",
             "Carter", "Phillips", "Evans", "Turner", "Parker", "Collins", "Edwards", "Stewart", "Morris", "Murphy", "Muñoz", "Peña", "Núñez"],
            ["John", "James", "Robert", "Michael", "William", "David", "Richard", "Joseph", "Charles", "Daniel", "Matthew", "Anthony",
             "Mark", "Steven", "Paul", "Andrew", "Kevin", "Brian", "George", "José"],
            ["Mary", "Patricia", "Jennifer", "Linda", "Elizabeth", "Barbara", "Susan", "Jessica", "Sarah", "Karen", "Nancy", "Lisa",
             "Margaret", "Sandra", "Ashley", "Emily", "Donna", "Michelle", "Carol", "María"]),
    };

    public static readonly string[] EnglishStreets = ["Oak Street", "Maple Avenue", "Cedar Lane", "Elm Street", "Pine Road", "Lakeview Drive", "Washington Blvd"];
    public static readonly string[] EnglishCities = ["Springfield, IL 627", "Decatur, IL 625", "Fairview, OH 441", "Lakewood, OH 441", "Parma, OH 441"];
    public static readonly string[] GermanStreets = ["Hauptstraße", "Lindenallee", "Gartenweg", "Schillerstraße", "Mühlenweg", "Bahnhofstraße"];
    public static readonly string[] GermanCities = ["22085 Hamburg", "22301 Hamburg", "21029 Hamburg", "25421 Pinneberg", "22844 Norderstedt"];
    public static readonly string[] NorwegianStreets = ["Storgata", "Kirkeveien", "Fjellveien", "Bjørkeveien", "Sjøgata", "Løkkeveien"];
    public static readonly string[] NorwegianCities = ["8006 Bodø", "8013 Bodø", "8200 Fauske", "8450 Stokmarknes", "9008 Tromsø"];
    public static readonly string[] JapaneseAreas = ["東京都世田谷区桜丘", "東京都杉並区高円寺南", "神奈川県川崎市中原区小杉町", "東京都目黒区自由が丘"];

    public static readonly string[] ClinicalHistories =
    [
        "Cough.", "Shortness of breath.", "Chest pain.", "Preoperative evaluation.", "Fever and cough.", "Follow-up imaging.", "Trauma.",
    ];
}
