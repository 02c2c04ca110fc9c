using System.Reflection;
using DuckDB.NET.Data;
using DuckDB.NET.Data.DataChunk.Reader;
using DuckDB.NET.Data.DataChunk.Writer;
using Lakehouse.Udfs.Registry;

namespace Lakehouse.Engine;

/// <summary>
/// Registers registry UDFs as DuckDB scalar functions. Nulls are handled here, not by DuckDB: with
/// <see cref="UdfNulls.Propagate"/> (and for non-nullable value parameters) a NULL argument gives NULL without a call.
/// An exception in a UDF fails the statement with the UDF's name and the exception type only, never its message
/// (which could quote a value).
/// </summary>
internal sealed class DuckDbUdfBinder(DuckDBConnection connection) : IUdfBinder
{
    private static readonly MethodInfo[] RegisterMethods = typeof(DuckDBConnection).GetMethods(BindingFlags.Public | BindingFlags.Instance)
        .Where(m => m.Name == nameof(DuckDBConnection.RegisterScalarFunction) && m.IsGenericMethodDefinition)
        .ToArray();

    public void Bind<TResult>(UdfDefinition udf, Func<TResult> function) =>
        Register(udf, [], (Action<IDuckDBDataWriter, ulong>)((writer, count) =>
        {
            try
            {
                for (ulong i = 0; i < count; i++) Result<TResult>.Write(writer, i, function());
            }
            catch (Exception ex) { throw Failed(udf, ex); }
        }));

    public void Bind<T1, TResult>(UdfDefinition udf, Func<T1, TResult> function)
    {
        bool n1 = SkipNull<T1>(udf);
        Register(udf, [typeof(T1)], Chunk(udf, (r, w, count) =>
        {
            var a = r[0];
            for (ulong i = 0; i < count; i++)
            {
                if ((n1 && !a.IsValid(i))) { w.WriteNull(i); continue; }
                var x1 = Arg<T1>.Read(a, i);
                Result<TResult>.Write(w, i, function(x1));
            }
        }));
    }

    public void Bind<T1, T2, TResult>(UdfDefinition udf, Func<T1, T2, TResult> function)
    {
        bool n1 = SkipNull<T1>(udf), n2 = SkipNull<T2>(udf);
        Register(udf, [typeof(T1), typeof(T2)], Chunk(udf, (r, w, count) =>
        {
            var a = r[0];
            var b = r[1];
            for (ulong i = 0; i < count; i++)
            {
                if ((n1 && !a.IsValid(i)) || (n2 && !b.IsValid(i))) { w.WriteNull(i); continue; }
                var x1 = Arg<T1>.Read(a, i);
                var x2 = Arg<T2>.Read(b, i);
                Result<TResult>.Write(w, i, function(x1, x2));
            }
        }));
    }

    public void Bind<T1, T2, T3, TResult>(UdfDefinition udf, Func<T1, T2, T3, TResult> function)
    {
        bool n1 = SkipNull<T1>(udf), n2 = SkipNull<T2>(udf), n3 = SkipNull<T3>(udf);
        Register(udf, [typeof(T1), typeof(T2), typeof(T3)], Chunk(udf, (r, w, count) =>
        {
            var a = r[0];
            var b = r[1];
            var c = r[2];
            for (ulong i = 0; i < count; i++)
            {
                if ((n1 && !a.IsValid(i)) || (n2 && !b.IsValid(i)) || (n3 && !c.IsValid(i))) { w.WriteNull(i); continue; }
                var x1 = Arg<T1>.Read(a, i);
                var x2 = Arg<T2>.Read(b, i);
                var x3 = Arg<T3>.Read(c, i);
                Result<TResult>.Write(w, i, function(x1, x2, x3));
            }
        }));
    }

    public void Bind<T1, T2, T3, T4, TResult>(UdfDefinition udf, Func<T1, T2, T3, T4, TResult> function)
    {
        bool n1 = SkipNull<T1>(udf), n2 = SkipNull<T2>(udf), n3 = SkipNull<T3>(udf), n4 = SkipNull<T4>(udf);
        Register(udf, [typeof(T1), typeof(T2), typeof(T3), typeof(T4)], Chunk(udf, (r, w, count) =>
        {
            var a = r[0];
            var b = r[1];
            var c = r[2];
            var d = r[3];
            for (ulong i = 0; i < count; i++)
            {
                if ((n1 && !a.IsValid(i)) || (n2 && !b.IsValid(i)) || (n3 && !c.IsValid(i)) || (n4 && !d.IsValid(i))) { w.WriteNull(i); continue; }
                var x1 = Arg<T1>.Read(a, i);
                var x2 = Arg<T2>.Read(b, i);
                var x3 = Arg<T3>.Read(c, i);
                var x4 = Arg<T4>.Read(d, i);
                Result<TResult>.Write(w, i, function(x1, x2, x3, x4));
            }
        }));
    }

    // One try per chunk, not per row: the hot loop stays allocation-free.
    private static Action<IReadOnlyList<IDuckDBDataReader>, IDuckDBDataWriter, ulong> Chunk(UdfDefinition udf,
        Action<IReadOnlyList<IDuckDBDataReader>, IDuckDBDataWriter, ulong> loop) => (r, w, count) =>
        {
            try { loop(r, w, count); }
            catch (Exception ex) { throw Failed(udf, ex); }
        };

    // NULL in, NULL out: always under Propagate, and under Receive for value parameters that cannot hold null.
    private static bool SkipNull<T>(UdfDefinition udf) =>
        udf.Nulls == UdfNulls.Propagate || (typeof(T).IsValueType && Nullable.GetUnderlyingType(typeof(T)) is null);

    private static InvalidOperationException Failed(UdfDefinition udf, Exception ex) =>
        new($"UDF {udf.Name} failed with {ex.GetType().Name}");

    private void Register(UdfDefinition udf, Type[] parameterTypes, Delegate callback)
    {
        if (udf.ReturnType == UdfValueType.Binary)
            throw new NotSupportedException($"UDF {udf.Name}: DuckDB.NET cannot return BLOB from a scalar function");
        Type[] generic = [.. parameterTypes.Select(Underlying), Underlying(ReturnClrType(udf))];
        var options = new ScalarFunctionOptions { HandlesNulls = true, IsPureFunction = udf.Deterministic };
        MethodInfo method = RegisterMethods.First(m => m.GetGenericArguments().Length == generic.Length).MakeGenericMethod(generic);
        object?[] args = method.GetParameters().Length switch
        {
            3 => [udf.Name, callback, options],
            4 => [udf.Name, callback, options, false],
            var n => throw new InvalidOperationException($"unexpected RegisterScalarFunction overload with {n} parameters"),
        };
        method.Invoke(connection, args);
    }

    private static Type ReturnClrType(UdfDefinition udf) => udf.Function.GetType().GetMethod("Invoke")!.ReturnType;

    private static Type Underlying(Type t) => Nullable.GetUnderlyingType(t) ?? t;

    // Typed readers, built once per type.
    private static class Arg<T>
    {
        public static readonly Func<IDuckDBDataReader, ulong, T> Read = (Func<IDuckDBDataReader, ulong, T>)Build();

        private static object Build()
        {
            Type t = typeof(T);
            if (t == typeof(string)) return (Func<IDuckDBDataReader, ulong, string?>)((r, i) => r.IsValid(i) ? r.GetValue<string>(i) : null);
            if (t == typeof(byte[])) return (Func<IDuckDBDataReader, ulong, byte[]?>)((r, i) => r.IsValid(i) ? ReadBlob(r, i) : null);
            if (t == typeof(long)) return (Func<IDuckDBDataReader, ulong, long>)((r, i) => r.GetValue<long>(i));
            if (t == typeof(long?)) return (Func<IDuckDBDataReader, ulong, long?>)((r, i) => r.IsValid(i) ? r.GetValue<long>(i) : null);
            if (t == typeof(int)) return (Func<IDuckDBDataReader, ulong, int>)((r, i) => r.GetValue<int>(i));
            if (t == typeof(int?)) return (Func<IDuckDBDataReader, ulong, int?>)((r, i) => r.IsValid(i) ? r.GetValue<int>(i) : null);
            if (t == typeof(double)) return (Func<IDuckDBDataReader, ulong, double>)((r, i) => r.GetValue<double>(i));
            if (t == typeof(double?)) return (Func<IDuckDBDataReader, ulong, double?>)((r, i) => r.IsValid(i) ? r.GetValue<double>(i) : null);
            if (t == typeof(bool)) return (Func<IDuckDBDataReader, ulong, bool>)((r, i) => r.GetValue<bool>(i));
            if (t == typeof(bool?)) return (Func<IDuckDBDataReader, ulong, bool?>)((r, i) => r.IsValid(i) ? r.GetValue<bool>(i) : null);
            if (t == typeof(DateOnly)) return (Func<IDuckDBDataReader, ulong, DateOnly>)((r, i) => r.GetValue<DateOnly>(i));
            if (t == typeof(DateOnly?)) return (Func<IDuckDBDataReader, ulong, DateOnly?>)((r, i) => r.IsValid(i) ? r.GetValue<DateOnly>(i) : null);
            throw new NotSupportedException($"UDF parameter type {t.Name} is not supported");
        }

        private static byte[] ReadBlob(IDuckDBDataReader r, ulong i)
        {
            using var stream = r.GetValue<Stream>(i);
            var bytes = new byte[stream.Length];
            stream.ReadExactly(bytes);
            return bytes;
        }
    }

    // Typed writers, built once per type; null (or an empty Nullable) writes SQL NULL.
    private static class Result<T>
    {
        public static readonly Action<IDuckDBDataWriter, ulong, T> Write = (Action<IDuckDBDataWriter, ulong, T>)Build();

        private static object Build()
        {
            Type t = typeof(T);
            if (t == typeof(string)) return (Action<IDuckDBDataWriter, ulong, string?>)((w, i, v) => { if (v is null) w.WriteNull(i); else w.WriteValue(v, i); });
            if (t == typeof(long)) return (Action<IDuckDBDataWriter, ulong, long>)((w, i, v) => w.WriteValue(v, i));
            if (t == typeof(long?)) return (Action<IDuckDBDataWriter, ulong, long?>)((w, i, v) => { if (v is { } x) w.WriteValue(x, i); else w.WriteNull(i); });
            if (t == typeof(int)) return (Action<IDuckDBDataWriter, ulong, int>)((w, i, v) => w.WriteValue(v, i));
            if (t == typeof(int?)) return (Action<IDuckDBDataWriter, ulong, int?>)((w, i, v) => { if (v is { } x) w.WriteValue(x, i); else w.WriteNull(i); });
            if (t == typeof(double)) return (Action<IDuckDBDataWriter, ulong, double>)((w, i, v) => w.WriteValue(v, i));
            if (t == typeof(double?)) return (Action<IDuckDBDataWriter, ulong, double?>)((w, i, v) => { if (v is { } x) w.WriteValue(x, i); else w.WriteNull(i); });
            if (t == typeof(bool)) return (Action<IDuckDBDataWriter, ulong, bool>)((w, i, v) => w.WriteValue(v, i));
            if (t == typeof(bool?)) return (Action<IDuckDBDataWriter, ulong, bool?>)((w, i, v) => { if (v is { } x) w.WriteValue(x, i); else w.WriteNull(i); });
            if (t == typeof(DateOnly)) return (Action<IDuckDBDataWriter, ulong, DateOnly>)((w, i, v) => w.WriteValue(v, i));
            if (t == typeof(DateOnly?)) return (Action<IDuckDBDataWriter, ulong, DateOnly?>)((w, i, v) => { if (v is { } x) w.WriteValue(x, i); else w.WriteNull(i); });
            throw new NotSupportedException($"UDF return type {t.Name} is not supported");
        }
    }
}
