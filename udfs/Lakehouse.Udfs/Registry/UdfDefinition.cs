using System.Reflection;

namespace Lakehouse.Udfs.Registry;

/// <summary>How a UDF treats SQL NULL arguments.</summary>
public enum UdfNulls
{
    /// <summary>Any NULL argument gives NULL without calling the function (SQL's usual rule; the default).</summary>
    Propagate,
    /// <summary>The function receives NULLs: as null for string and byte[], and for value types through <c>T?</c> parameters.</summary>
    Receive,
}

/// <summary>One parameter of a UDF's signature.</summary>
/// <param name="Name">The parameter name, snake_case as in SQL docs.</param>
/// <param name="Type">The value type.</param>
/// <param name="Nullable">True when the function itself receives NULL for it (see <see cref="UdfNulls.Receive"/>).</param>
public sealed record UdfParameter(string Name, UdfValueType Type, bool Nullable);

/// <summary>
/// A scalar UDF: its SQL name, signature and a typed delegate over scalar values. Engines bind it through
/// <see cref="Accept"/> (DuckDB today, Spark later), so the definition never depends on an engine.
/// Create one with <see cref="Udf"/>'s <c>Define</c> methods.
/// </summary>
public abstract class UdfDefinition
{
    private protected UdfDefinition(string name, string description, UdfNulls nulls, bool deterministic,
        Delegate function, string[] parameterNames)
    {
        if (string.IsNullOrWhiteSpace(name) || !name.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_') || !char.IsAsciiLetterLower(name[0]))
            throw new ArgumentException($"UDF name '{name}' must be lower snake_case", nameof(name));
        // The delegate type's Invoke carries the declared types, whatever the target method (lambda, method group, closure).
        Type[] types = function.GetType().GetMethod("Invoke")!.GetParameters().Select(p => p.ParameterType).ToArray();
        if (types.Length != parameterNames.Length)
            throw new ArgumentException($"UDF {name}: {parameterNames.Length} parameter names for {types.Length} parameters", nameof(parameterNames));
        Name = name;
        Description = description;
        Nulls = nulls;
        Deterministic = deterministic;
        Function = function;
        Parameters = types.Select((t, i) => new UdfParameter(parameterNames[i], UdfValueTypes.Of(t),
            nulls == UdfNulls.Receive && (!t.IsValueType || System.Nullable.GetUnderlyingType(t) is not null))).ToArray();
        Type returnType = function.GetType().GetMethod("Invoke")!.ReturnType;
        ReturnType = UdfValueTypes.Of(returnType);
        ReturnsNull = (nulls == UdfNulls.Propagate && types.Length > 0) || System.Nullable.GetUnderlyingType(returnType) is not null
            || (!returnType.IsValueType && ReturnNullability(function) != NullabilityState.NotNull);
    }

    /// <summary>The SQL name, lower snake_case.</summary>
    public string Name { get; }

    /// <summary>One line on what it computes.</summary>
    public string Description { get; }

    /// <summary>The parameters in order.</summary>
    public IReadOnlyList<UdfParameter> Parameters { get; }

    /// <summary>The return type.</summary>
    public UdfValueType ReturnType { get; }

    /// <summary>True when it can return NULL (including by NULL propagation).</summary>
    public bool ReturnsNull { get; }

    /// <summary>How NULL arguments are treated.</summary>
    public UdfNulls Nulls { get; }

    /// <summary>True when the same arguments always give the same result (lets engines fold and cache).</summary>
    public bool Deterministic { get; }

    /// <summary>The typed delegate (a <c>Func&lt;...&gt;</c> over the supported scalar types).</summary>
    public Delegate Function { get; }

    /// <summary>The signature as SQL: <c>name(a VARCHAR, b BIGINT) -> VARCHAR</c>.</summary>
    public string Signature =>
        $"{Name}({string.Join(", ", Parameters.Select(p => $"{p.Name} {p.Type.DuckDbName()}"))}) -> {ReturnType.DuckDbName()}";

    /// <summary>Hands the typed delegate to an engine binder.</summary>
    public abstract void Accept(IUdfBinder binder);

    /// <inheritdoc />
    public override string ToString() => Signature;

    private static NullabilityState ReturnNullability(Delegate function)
    {
        try { return new NullabilityInfoContext().Create(function.Method.ReturnParameter).ReadState; }
        catch (InvalidOperationException) { return NullabilityState.Unknown; }
    }
}

/// <summary>An engine's side of binding UDFs: one generic method per arity, so binding needs no reflection.</summary>
public interface IUdfBinder
{
    /// <summary>Binds a UDF without arguments.</summary>
    void Bind<TResult>(UdfDefinition udf, Func<TResult> function);
    /// <summary>Binds a UDF of one argument.</summary>
    void Bind<T1, TResult>(UdfDefinition udf, Func<T1, TResult> function);
    /// <summary>Binds a UDF of two arguments.</summary>
    void Bind<T1, T2, TResult>(UdfDefinition udf, Func<T1, T2, TResult> function);
    /// <summary>Binds a UDF of three arguments.</summary>
    void Bind<T1, T2, T3, TResult>(UdfDefinition udf, Func<T1, T2, T3, TResult> function);
    /// <summary>Binds a UDF of four arguments.</summary>
    void Bind<T1, T2, T3, T4, TResult>(UdfDefinition udf, Func<T1, T2, T3, T4, TResult> function);
}

/// <summary>Options of a UDF definition beyond its signature.</summary>
/// <param name="Nulls">NULL handling; <see cref="UdfNulls.Propagate"/> by default.</param>
/// <param name="Volatile">True for functions whose result may change between calls with the same arguments (random, clock).</param>
public readonly record struct UdfOptions(UdfNulls Nulls = UdfNulls.Propagate, bool Volatile = false);

/// <summary>Factories of <see cref="UdfDefinition"/>: <c>Udf.Define("name", "what it does", ["arg"], Method)</c>.</summary>
public static class Udf
{
    /// <summary>Defines a UDF without arguments.</summary>
    public static UdfDefinition Define<TResult>(string name, string description, Func<TResult> function, UdfOptions options = default) =>
        new Def0<TResult>(name, description, options, function);

    /// <summary>Defines a UDF of one argument.</summary>
    public static UdfDefinition Define<T1, TResult>(string name, string description, string[] parameterNames, Func<T1, TResult> function, UdfOptions options = default) =>
        new Def1<T1, TResult>(name, description, options, function, parameterNames);

    /// <summary>Defines a UDF of two arguments.</summary>
    public static UdfDefinition Define<T1, T2, TResult>(string name, string description, string[] parameterNames, Func<T1, T2, TResult> function, UdfOptions options = default) =>
        new Def2<T1, T2, TResult>(name, description, options, function, parameterNames);

    /// <summary>Defines a UDF of three arguments.</summary>
    public static UdfDefinition Define<T1, T2, T3, TResult>(string name, string description, string[] parameterNames, Func<T1, T2, T3, TResult> function, UdfOptions options = default) =>
        new Def3<T1, T2, T3, TResult>(name, description, options, function, parameterNames);

    /// <summary>Defines a UDF of four arguments.</summary>
    public static UdfDefinition Define<T1, T2, T3, T4, TResult>(string name, string description, string[] parameterNames, Func<T1, T2, T3, T4, TResult> function, UdfOptions options = default) =>
        new Def4<T1, T2, T3, T4, TResult>(name, description, options, function, parameterNames);

    private static bool Det(UdfOptions o) => !o.Volatile;

    private sealed class Def0<TR>(string n, string d, UdfOptions o, Func<TR> f) : UdfDefinition(n, d, o.Nulls, Det(o), f, [])
    {
        public override void Accept(IUdfBinder binder) => binder.Bind(this, f);
    }

    private sealed class Def1<T1, TR>(string n, string d, UdfOptions o, Func<T1, TR> f, string[] p) : UdfDefinition(n, d, o.Nulls, Det(o), f, p)
    {
        public override void Accept(IUdfBinder binder) => binder.Bind(this, f);
    }

    private sealed class Def2<T1, T2, TR>(string n, string d, UdfOptions o, Func<T1, T2, TR> f, string[] p) : UdfDefinition(n, d, o.Nulls, Det(o), f, p)
    {
        public override void Accept(IUdfBinder binder) => binder.Bind(this, f);
    }

    private sealed class Def3<T1, T2, T3, TR>(string n, string d, UdfOptions o, Func<T1, T2, T3, TR> f, string[] p) : UdfDefinition(n, d, o.Nulls, Det(o), f, p)
    {
        public override void Accept(IUdfBinder binder) => binder.Bind(this, f);
    }

    private sealed class Def4<T1, T2, T3, T4, TR>(string n, string d, UdfOptions o, Func<T1, T2, T3, T4, TR> f, string[] p) : UdfDefinition(n, d, o.Nulls, Det(o), f, p)
    {
        public override void Accept(IUdfBinder binder) => binder.Bind(this, f);
    }
}
