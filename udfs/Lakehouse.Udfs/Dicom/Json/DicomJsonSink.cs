using System.Buffers;
using System.Buffers.Binary;
using System.Buffers.Text;
using System.Text;
using System.Text.Json;

namespace Lakehouse.Udfs.Dicom.Json;

/// <summary>
/// Where DicomJson's per-VR rules write: Utf8JsonWriter (the data set serializer, public API) or the one-pass header
/// walk's direct emitter. Generic over a struct so each sink's calls are direct, not virtual.
/// </summary>
internal interface IDicomJsonSink
{
    void StartObject();
    void EndObject();
    void PropertyName(ReadOnlySpan<byte> name);
    /// <summary><c>"GGGGEEEE":{"vr":"XX"</c>; key: the digits as <see cref="DicomJson.HexKey"/> packs them.</summary>
    void AttributeStart(ulong key, DicomVR vr);
    void StartArray(ReadOnlySpan<byte> name);
    void EndArray();
    void String(ReadOnlySpan<byte> name, ReadOnlySpan<byte> utf8Value);
    void String(ReadOnlySpan<byte> name, string value);
    void Base64(ReadOnlySpan<byte> name, ReadOnlySpan<byte> bytes);
    void StringValue(ReadOnlySpan<byte> utf8Value);
    /// <summary>A string the caller found to need no escaping (printable ASCII, no quote or backslash).</summary>
    void PlainStringValue(ReadOnlySpan<byte> ascii);
    void StringValue(string value);
    void NullValue();
    void NumberValue(long value);
    void NumberValue(ulong value);
    void NumberValue(double value);
    void NumberValue(float value);
    void RawValue(ReadOnlySpan<byte> utf8Json);
    void RawValue(string json);
}

/// <summary>The data set serializer's sink: everything through Utf8JsonWriter.</summary>
internal readonly struct Utf8JsonWriterSink(Utf8JsonWriter writer) : IDicomJsonSink
{
    public void StartObject() => writer.WriteStartObject();
    public void EndObject() => writer.WriteEndObject();
    public void PropertyName(ReadOnlySpan<byte> name) => writer.WritePropertyName(name);

    public void AttributeStart(ulong key, DicomVR vr)
    {
        Span<byte> name = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(name, key);
        writer.WritePropertyName(name);
        writer.WriteStartObject();
        Span<byte> vrCode = [(byte)((ushort)vr >> 8), (byte)vr]; // a VR is its two ASCII letters: no string per element
        writer.WriteString("vr"u8, vrCode);
    }

    public void StartArray(ReadOnlySpan<byte> name) => writer.WriteStartArray(name);
    public void EndArray() => writer.WriteEndArray();
    public void String(ReadOnlySpan<byte> name, ReadOnlySpan<byte> utf8Value) => writer.WriteString(name, utf8Value);
    public void String(ReadOnlySpan<byte> name, string value) => writer.WriteString(name, value);
    public void Base64(ReadOnlySpan<byte> name, ReadOnlySpan<byte> bytes) => writer.WriteBase64String(name, bytes);
    public void StringValue(ReadOnlySpan<byte> utf8Value) => writer.WriteStringValue(utf8Value);
    public void PlainStringValue(ReadOnlySpan<byte> ascii) => writer.WriteStringValue(ascii);
    public void StringValue(string value) => writer.WriteStringValue(value);
    public void NullValue() => writer.WriteNullValue();
    public void NumberValue(long value) => writer.WriteNumberValue(value);
    public void NumberValue(ulong value) => writer.WriteNumberValue(value);
    public void NumberValue(double value) => writer.WriteNumberValue(value);
    public void NumberValue(float value) => writer.WriteNumberValue(value);
    public void RawValue(ReadOnlySpan<byte> utf8Json) => writer.WriteRawValue(utf8Json, skipInputValidation: true);
    public void RawValue(string json) => writer.WriteRawValue(json, skipInputValidation: true);
}

/// <summary>The one-pass walk's sink: forwards to a <see cref="DicomJsonEmitter"/>.</summary>
internal readonly struct DicomJsonEmitterSink(DicomJsonEmitter emitter) : IDicomJsonSink
{
    public void StartObject() => emitter.StartObject();
    public void EndObject() => emitter.EndObject();
    public void PropertyName(ReadOnlySpan<byte> name) => emitter.PropertyName(name);
    public void AttributeStart(ulong key, DicomVR vr) => emitter.AttributeStart(key, vr);
    public void StartArray(ReadOnlySpan<byte> name) => emitter.StartArray(name);
    public void EndArray() => emitter.EndArray();
    public void String(ReadOnlySpan<byte> name, ReadOnlySpan<byte> utf8Value) { emitter.PropertyName(name); emitter.StringValue(utf8Value); }
    public void String(ReadOnlySpan<byte> name, string value) { emitter.PropertyName(name); emitter.StringValue(value); }
    public void Base64(ReadOnlySpan<byte> name, ReadOnlySpan<byte> bytes) => emitter.Base64(name, bytes);
    public void StringValue(ReadOnlySpan<byte> utf8Value) => emitter.StringValue(utf8Value);
    public void PlainStringValue(ReadOnlySpan<byte> ascii) => emitter.PlainStringValue(ascii);
    public void StringValue(string value) => emitter.StringValue(value);
    public void NullValue() => emitter.Raw("null"u8);
    public void NumberValue(long value) => emitter.Number(value);
    public void NumberValue(ulong value) => emitter.Number(value);
    public void NumberValue(double value) => emitter.Delegated(value, static (w, v) => w.WriteNumberValue(v));
    public void NumberValue(float value) => emitter.Delegated(value, static (w, v) => w.WriteNumberValue(v));
    public void RawValue(ReadOnlySpan<byte> utf8Json) => emitter.Raw(utf8Json);
    public void RawValue(string json) => emitter.Raw(Encoding.UTF8.GetBytes(json));
}

/// <summary>
/// Compact JSON written straight into a byte buffer, the same bytes Utf8JsonWriter writes with DicomJson's options:
/// property names here are fixed ASCII (keys, "vr", "Value") that need no escaping; a string is copied as it is when the
/// relaxed encoder finds nothing to escape in it (the test Utf8JsonWriter makes), and anything else (escaped strings,
/// floating-point numbers) is written by a Utf8JsonWriter on the side and copied, so escaping and number formatting
/// stay Utf8JsonWriter's own.
/// </summary>
internal sealed class DicomJsonEmitter : IDisposable
{
    private byte[] _buffer = new byte[16 * 1024];
    private int _length;
    private bool _comma; // the next value or property follows another at the same level
    private readonly ArrayBufferWriter<byte> _sideBuffer = new(256);
    private readonly Utf8JsonWriter _side;

    public DicomJsonEmitter() => _side = new Utf8JsonWriter(_sideBuffer, DicomJson.WriterOptions);

    public void Dispose() => _side.Dispose();

    public ReadOnlySpan<byte> Written => _buffer.AsSpan(0, _length);

    public void Reset()
    {
        _length = 0;
        _comma = false;
    }

    public void StartObject()
    {
        Separate(1);
        _buffer[_length++] = (byte)'{';
        _comma = false;
    }

    public void EndObject()
    {
        Reserve(1);
        _buffer[_length++] = (byte)'}';
        _comma = true;
    }

    public void PropertyName(ReadOnlySpan<byte> name)
    {
        Separate(name.Length + 3);
        WriteQuoted(name);
        _buffer[_length++] = (byte)':';
        _comma = false;
    }

    // The attribute's opening in one reservation: a comma if due, the quoted key, the object and its "vr".
    public void AttributeStart(ulong key, DicomVR vr)
    {
        const int Length = 21; // "GGGGEEEE":{"vr":"XX"
        Separate(Length);
        var into = _buffer.AsSpan(_length, Length);
        into[0] = (byte)'"';
        BinaryPrimitives.WriteUInt64LittleEndian(into[1..], key);
        "\":{\"vr\":\""u8.CopyTo(into[9..]);
        into[18] = (byte)((ushort)vr >> 8);
        into[19] = (byte)vr;
        into[20] = (byte)'"';
        _length += Length;
        _comma = true;
    }

    public void StartArray(ReadOnlySpan<byte> name)
    {
        PropertyName(name);
        Reserve(1);
        _buffer[_length++] = (byte)'[';
    }

    public void EndArray()
    {
        Reserve(1);
        _buffer[_length++] = (byte)']';
        _comma = true;
    }

    public void StringValue(ReadOnlySpan<byte> utf8)
    {
        if (DicomJson.WriterOptions.Encoder!.FindFirstCharacterToEncodeUtf8(utf8) >= 0)
        {
            Delegated(utf8, static (w, v) => w.WriteStringValue(v));
            return;
        }
        Separate(utf8.Length + 2);
        WriteQuoted(utf8);
        _comma = true;
    }

    public void PlainStringValue(ReadOnlySpan<byte> ascii)
    {
        Separate(ascii.Length + 2);
        WriteQuoted(ascii);
        _comma = true;
    }

    public void StringValue(string value) => Delegated(value, static (w, v) => w.WriteStringValue(v));

    public void Number(long value)
    {
        Separate(20);
        Utf8Formatter.TryFormat(value, _buffer.AsSpan(_length), out int n);
        _length += n;
        _comma = true;
    }

    public void Number(ulong value)
    {
        Separate(20);
        Utf8Formatter.TryFormat(value, _buffer.AsSpan(_length), out int n);
        _length += n;
        _comma = true;
    }

    public void Base64(ReadOnlySpan<byte> name, ReadOnlySpan<byte> bytes)
    {
        PropertyName(name);
        int encoded = System.Buffers.Text.Base64.GetMaxEncodedToUtf8Length(bytes.Length);
        Reserve(encoded + 2);
        _buffer[_length++] = (byte)'"';
        System.Buffers.Text.Base64.EncodeToUtf8(bytes, _buffer.AsSpan(_length), out _, out int n);
        _length += n;
        _buffer[_length++] = (byte)'"';
        _comma = true;
    }

    public void Raw(ReadOnlySpan<byte> json)
    {
        Separate(json.Length);
        json.CopyTo(_buffer.AsSpan(_length));
        _length += json.Length;
        _comma = true;
    }

    // One value written by Utf8JsonWriter alone (its exact escaping or number format), then copied in.
    public void Delegated<T>(T value, Action<Utf8JsonWriter, T> write) where T : allows ref struct
    {
        _sideBuffer.ResetWrittenCount();
        _side.Reset(_sideBuffer);
        write(_side, value);
        _side.Flush();
        Raw(_sideBuffer.WrittenSpan);
    }

    private void WriteQuoted(ReadOnlySpan<byte> text)
    {
        _buffer[_length++] = (byte)'"';
        text.CopyTo(_buffer.AsSpan(_length));
        _length += text.Length;
        _buffer[_length++] = (byte)'"';
    }

    private void Separate(int size)
    {
        Reserve(size + 1);
        if (_comma) _buffer[_length++] = (byte)',';
    }

    private void Reserve(int size)
    {
        if (_buffer.Length - _length >= size) return;
        Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + size));
    }
}
