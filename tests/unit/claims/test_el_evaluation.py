"""claims/expression/ + functions/, evaluation side: operators, null handling, every function, runtime errors."""
from __future__ import annotations

import math
from types import MappingProxyType

import pytest

from chalicelib.claims.expression import EvalContext, ExpressionEvaluationError, ExpressionSyntaxError, Group, parse

USER = {
    "id": "00u1", "login": "winston.churchill@gmail.com", "email": "winston.churchill@gmail.com",
    "firstName": "Winston", "lastName": "Churchill", "middleInitial": "", "middleName": None, "salary": 1500000,
    "isContractor": False, "city": "San Francisco", "groupCode": 123, "tags": ["a", "b"], "score": 2.5,
}
APPUSER = {"userName": "wchurchill", "role": "admin"}
APP = {"id": "0oa1", "clientId": "client-1", "profile": {"groupallowlist": ["g1", "g3"], "tier": "gold"}}
ORG = MappingProxyType({"name": "Acme", "subdomain": "acme"})
GROUPS = (
    Group("g1", "Everyone"), Group("g2", "IT"), Group("g3", "IT-Admins"), Group("g4", "Sales West"),
    Group("ad1", "Eastern-Region", "active_directory"),
)
CTX = EvalContext(user=USER, appuser=APPUSER, app=APP, access_scopes=("openid", "read:x"), org=ORG, groups=GROUPS)
NO_USER = EvalContext(app={"id": "0oa2", "clientId": "service-client"}, access_scopes=("read:x",), org=ORG)


def ev(text: str, ctx: EvalContext = CTX):
    return parse(text).evaluate(ctx)


def case(text, expected):
    return pytest.param(text, expected, id=text[:60])


# -- the sub system claim ------------------------------------------------------------------------------------------


def test_sub_expression_gives_the_client_id_without_a_user():
    assert ev("(appuser != null) ? appuser.userName : app.clientId", NO_USER) == "service-client"


def test_sub_expression_gives_the_app_username_with_a_user():
    assert ev("(appuser != null) ? appuser.userName : app.clientId") == "wchurchill"


# -- literals, variables, properties -------------------------------------------------------------------------------


@pytest.mark.parametrize("text, expected", [
    case("'Hello world'", "Hello world"),
    case('"Hello"', "Hello"),
    case("1234", 1234),
    case("3.141", 3.141),
    case("true", True),
    case("FALSE", False),
    case("null", None),
    case("{10, 20, 30}", [10, 20, 30]),
    case("{}", []),
    case("{'a', {1, null}}", ["a", [1, None]]),
    case("user.firstName", "Winston"),
    case("user.id", "00u1"),
    case("user.nickName", None),  # a missing attribute is null
    case("user.middleName", None),
    case("appuser.userName", "wchurchill"),
    case("app.clientId", "client-1"),
    case("app.id", "0oa1"),
    case("app.profile.tier", "gold"),
    case("app.profile.groupallowlist", ["g1", "g3"]),
    case("access.scope", ["openid", "read:x"]),
    case("org.name", "Acme"),
    case("org.subdomain", "acme"),
    case("org", ORG),
    case("(app).clientId", "client-1"),
    case("Arrays.get({app}, 0).clientId", "client-1"),
])
def test_values(text, expected):
    assert ev(text) == expected


# -- operators -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text, expected", [
    # + concatenates when either side is a string, adds numbers otherwise
    case("user.firstName + user.lastName", "WinstonChurchill"),
    case("user.firstName + \" \" + user.lastName", "Winston Churchill"),
    case("'a' + 1", "a1"),
    case("1 + 'a'", "1a"),
    case("1 + 2 + 'a'", "3a"),
    case("'a' + 1 + 2", "a12"),
    case("'a' + 1.5", "a1.5"),
    case("'a' + 2.0", "a2.0"),
    case("'a' + 1e20", "a1.0E20"),
    case("'a' + 0.0001", "a1.0E-4"),
    case("'a' + 12345678.9", "a1.23456789E7"),
    case("'a' + true", "atrue"),
    case("'a' + null", "anull"),
    case("user.middleName + 'x'", "nullx"),
    case("1 + 2", 3),
    case("1 + 2.5", 3.5),
    case("10 - 4", 6),
    case("2 * 3", 6),
    case("7 / 2", 3),
    case("-7 / 2", -3),
    case("7 / -2", -3),
    case("7.0 / 2", 3.5),
    case("7 % 3", 1),
    case("-7 % 3", -1),
    case("7.5 % 2", 1.5),
    case("-user.salary", -1500000),
    case("- -3", 3),
    case("+3", 3),
    case("2 + 3 * 4", 14),
    case("(2 + 3) * 4", 20),
    case("10 - 2 - 3", 5),
    case("String.len(user.firstName) - 2", 5),
    # comparisons
    case("1 == 1", True),
    case("1 == 1.0", True),
    case("1 != 2", True),
    case("'a' == 'a'", True),
    case("'a' == 'A'", False),
    case("'1' == 1", False),
    case("true == 1", False),
    case("null == null", True),
    case("user.nickName == null", True),
    case("user != null", True),
    case("appuser != null", True),
    case("{1, 2} == {1, 2.0}", True),
    case("{1, 2} == {2, 1}", False),
    case("user.groupCode == 123", True),
    case("user.city == \"San Francisco\"", True),
    case("user.salary >= 1000000", True),
    case("user.salary > 1500000", False),
    case("user.salary < 1500001", True),
    case("user.salary <= 1500000", True),
    case("2.5 > 2", True),
    case("'abc' < 'abd'", True),
    case("'b' > 'abc'", True),
    case("false < true", True),
    case("null < 1", True),
    case("1 > null", True),
    case("null >= null", True),
    # logic
    case("true AND true", True),
    case("true && false", False),
    case("false OR true", True),
    case("false || false", False),
    case("!true", False),
    case("NOT false", True),
    case("!!true", True),
    case("!user.isContractor", True),
    case("user.salary > 1000000 AND !user.isContractor", True),
    case("true OR false AND false", True),  # AND binds tighter
    case("(true OR false) AND false", False),
    case("false AND user.nope.nope", False),  # short circuit: the right side is never read
    case("true OR user.nope.nope", True),
    case("1 < 2 && 'a' == 'a'", True),
    # ternary
    case("user.groupCode == 123 ? 'Sales' : 'Other'", "Sales"),
    case("user.groupCode == 124 ? 'Sales' : 'Other'", "Other"),
    case("false ? 1 : true ? 2 : 3", 2),
    case("false ? 1 : false ? 2 : 3", 3),
    case("true ? false ? 1 : 2 : 3", 2),
    case("true ? 'x' : user.nope.nope", "x"),
    case("1 + (true ? 1 : 2) * 3", 4),
    case("user.firstName + \" \" + (String.len(user.middleInitial) == 0 ? \"\" : "
         "(String.substring(user.middleInitial, 0, 1) + \". \")) + user.lastName", "Winston Churchill"),
])
def test_operators(text, expected):
    result = ev(text)
    assert result == expected and type(result) is type(expected)


# -- functions -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text, expected", [
    # String (the examples of Okta's reference)
    case('String.append("This is", " a test")', "This is a test"),
    case('String.append(null, "x")', "x"),
    case('String.join(",", "This", "is", "a", "test")', "This,is,a,test"),
    case('String.join("", "This", "is", "a", "test")', "Thisisatest"),
    case('String.join("-", {"a", "b"}, "c")', "a-b-c"),
    case('String.join(",")', ""),
    case('String.len("This")', 4),
    case("String.len(null)", 0),
    case("String.len(12345)", 5),
    case('String.removeSpaces("This is a test")', "Thisisatest"),
    case('String.replace("This is a test", "is", "at")', "That at a test"),
    case('String.replace("a.b.c", ".", "")', "abc"),  # literal, not a regex
    case('String.replaceFirst("This is a test", "is", "at")', "That is a test"),
    case('String.replaceFirst("a.b.c", ".", "-")', "a-b.c"),
    case('String.stringContains("This is a test", "test")', True),
    case("String.stringContains(\"This is a test\", \"doesn'tExist\")", False),
    case('String.stringContains(null, "x")', False),
    case('String.stringSwitch("This is a test", "default", "key1", "value1")', "default"),
    case('String.stringSwitch("This is a test", "default", "test", "value1")', "value1"),
    case('String.stringSwitch("First match wins", "default", "absent", "value1", "wins", "value2", "match", '
         '"value3")', "value2"),
    case('String.stringSwitch("Substrings count", "default", "ring", "value1")', "value1"),
    case('String.stringSwitch(null, "default", "a", "b")', "default"),
    case('String.substring("This is a test", 2, 9)', "is is a"),
    case('String.substring("abc", 0, 10)', "abc"),
    case('String.substring("abc", -2, 3)', "bc"),
    case('String.substring("abc", 2, 1)', ""),
    case('String.substring("abc", 1.0, 2)', "b"),
    case("String.substring(null, 0, 1)", None),
    case('String.substringAfter("abc@okta.com", "@")', "okta.com"),
    case('String.substringAfter("abc", "@")', ""),
    case('String.substringAfter("abc", "")', "abc"),
    case('String.substringBefore("abc@okta.com", "@")', "abc"),
    case('String.substringBefore("abc", "@")', "abc"),
    case('String.substringBefore("abc", "")', ""),
    case('String.substringBefore(user.email, "@")', "winston.churchill"),
    case('String.substringBefore(null, "@")', None),
    case('String.toUpperCase("This")', "THIS"),
    case('String.toLowerCase("ThiS")', "this"),
    case("String.toLowerCase(null)", None),
    case('String.toUpperCase(true)', "TRUE"),
    # deprecated spellings
    case('toUpperCase("Alexander")', "ALEXANDER"),
    case('toLowerCase("AlexANDER")', "alexander"),
    case("substringBefore(user.email, '@')", "winston.churchill"),
    case("substringAfter(user.email, '@')", "gmail.com"),
    case('substring("Alexander", 1, 4)', "lex"),
    case('toUpperCase(substringBefore(substringAfter(user.email, "@"), ".")) + "\\" + '
         'substringBefore(user.email, "@")', "GMAIL\\winston.churchill"),
    case('toLowerCase(substring(user.firstName, 0, 1)) + "." + toLowerCase(user.lastName)', "w.churchill"),
    # Arrays (the examples of Okta's reference)
    case("Arrays.add({10, 20, 30}, 40)", [10, 20, 30, 40]),
    case("Arrays.add(null, 'x')", ["x"]),
    case("Arrays.add(Arrays.toCsvString({}), 'x')", ["x"]),  # Okta's support-article idiom
    case("Arrays.add(Arrays.add(Arrays.toCsvString({}), 'x'), 'y')", ["x", "y"]),
    case("Arrays.add('a, b', 'c')", ["a", "b", "c"]),
    case("Arrays.remove({10, 20, 30}, 20)", [10, 30]),
    case("Arrays.remove({10, 20, 20}, 20)", [10, 20]),
    case("Arrays.remove({2, 3}, 1)", [2, 3]),
    case("Arrays.clear({10, 20, 30})", []),
    case("Arrays.get({0, 1, 2}, 0)", 0),
    case("Arrays.get(user.tags, 1)", "b"),
    case("Arrays.flatten(10, {20, 30}, 40)", [10, 20, 30, 40]),
    case("Arrays.flatten({{1}, {2, {3}}})", [1, 2, 3]),
    case("Arrays.flatten('a')", ["a"]),
    case("Arrays.contains({10, 20, 30}, 10)", True),
    case("Arrays.contains({10, 20, 30}, 50)", False),
    case("Arrays.contains({1, 2, 3}, 'one')", False),
    case("Arrays.contains(access.scope, 'openid')", True),
    case("Arrays.size({10, 20, 30})", 3),
    case("Arrays.size(NULL)", 0),
    case("Arrays.size('')", 0),
    case("Arrays.size('a,b')", 2),
    case("Arrays.isEmpty({10, 20})", False),
    case("Arrays.isEmpty(NULL)", True),
    case("Arrays.isEmpty({})", True),
    case('Arrays.toCsvString({"This", "is", " a ", "test"})', "This,is, a ,test"),
    case("Arrays.toCsvString({1, true, 2.5})", "1,true,2.5"),
    case("Arrays.toCsvString(null)", ""),
    # Convert
    case("Convert.toInt('1234')", 1234),
    case("Convert.toInt('-12')", -12),
    case("Convert.toInt(123.4)", 123),
    case("Convert.toInt(123.6)", 124),
    case("Convert.toInt(2.5)", 3),
    case("Convert.toInt(-2.5)", -2),
    case("Convert.toInt(7)", 7),
    case("Convert.toNum('3.141')", 3.141),
    case("Convert.toNum(' 2 ')", 2.0),
    case("Convert.toNum('1e3')", 1000.0),
    case("Convert.toNum(4)", 4.0),
    case("Convert.toNum(user.score)", 2.5),
    # Groups: app type / id, case-insensitive patterns, limit
    case("Groups.startsWith('OKTA', 'IT', 10)", ["IT", "IT-Admins"]),
    case("Groups.startsWith('okta', 'it', 10)", ["IT", "IT-Admins"]),
    case("Groups.startsWith('OKTA', 'IT', 1)", ["IT"]),
    case("Groups.startsWith('OKTA', '', 100)", ["Everyone", "IT", "IT-Admins", "Sales West"]),
    case("Groups.contains('OKTA', 'admin', 10)", ["IT-Admins"]),
    case("Groups.contains('OKTA', 'e', 10)", ["Everyone", "Sales West"]),
    case("Groups.endsWith('OKTA', 'west', 10)", ["Sales West"]),
    case("Groups.endsWith('OKTA', 'nothing', 10)", []),
    case("Groups.startsWith('active_directory', 'Eastern', 10)", ["Eastern-Region"]),
    case("Groups.endsWith('OKTA', '-Region', 10)", []),
    case("Groups.startsWith('OKTA', 'IT', 5.0)", ["IT", "IT-Admins"]),
    case("Arrays.flatten(Groups.startsWith('OKTA', 'IT', 10), Groups.startsWith('OKTA', 'Sales', 10))",
         ["IT", "IT-Admins", "Sales West"]),
    case("Arrays.isEmpty(Arrays.toCsvString(Groups.startsWith('OKTA', 'zzz', 100)))", True),
    # getFilteredGroups: an allow list of ids, a group expression, a limit
    case('getFilteredGroups({"g1", "g3", "nope"}, "group.name", 40)', ["Everyone", "IT-Admins"]),
    case('getFilteredGroups(app.profile.groupallowlist, "group.id", 40)', ["g1", "g3"]),
    case("getFilteredGroups(app.profile.groupallowlist, \"'Okta: ' + group.profile.name\", 1)", ["Okta: Everyone"]),
    case('getFilteredGroups("g2, g4", "group.name", 10)', ["IT", "Sales West"]),
    # isMemberOf*
    case("isMemberOfGroupName('IT')", True),
    case("isMemberOfGroupName('it')", True),
    case("isMemberOfGroupName('IT-')", False),
    case("isMemberOfGroup('g2')", True),
    case("isMemberOfGroup('IT')", False),
    case("isMemberOfAnyGroup('nope', 'g4')", True),
    case("isMemberOfAnyGroup({'nope', 'g4'})", True),
    case("isMemberOfAnyGroup('nope1', 'nope2')", False),
    case("isMemberOfGroupNameStartsWith('Sales')", True),
    case("isMemberOfGroupNameStartsWith('West')", False),
    case("isMemberOfGroupNameContains('admin')", True),
    case("isMemberOfGroupNameContains('xyz')", False),
    case("isMemberOfGroupNameRegex('/.*admin.*')", False),  # case-sensitive
    case("isMemberOfGroupNameRegex('/.*Admin.*')", True),
    case("isMemberOfGroupNameRegex('/^IT.*$/')", True),
    case("isMemberOfGroupNameRegex('Sales')", False),  # whole-name match
    case("isMemberOfGroupNameRegex('Sales.*')", True),
])
def test_functions(text, expected):
    result = ev(text)
    assert result == expected and type(result) is type(expected)


def test_group_functions_without_a_user_see_no_groups():
    assert ev("Groups.startsWith('OKTA', '', 100)", NO_USER) == []
    assert ev("isMemberOfGroupName('IT')", NO_USER) is False


def test_functions_return_fresh_arrays():
    assert ev("Arrays.add(app.profile.groupallowlist, 'g9')") == ["g1", "g3", "g9"]
    assert APP["profile"]["groupallowlist"] == ["g1", "g3"]


# -- runtime errors ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text, message", [
    ("user.firstName", "Cannot read property 'firstName' of null at position 5"),
    ("appuser.userName", "Cannot read property 'userName' of null at position 8"),
    ("app.nope.first", "Cannot read property 'first' of null at position 9"),
    ("app.clientId.x", "Cannot read property 'x' of a string at position 13"),
    ("access.scope.x", "Cannot read property 'x' of a array at position 13"),
    ("1 - 'a'", "Operator '-' cannot be applied to number and string at position 2"),
    ("true + 1", "Operator '+' cannot be applied to boolean and number at position 5"),
    ("null + 1", "Operator '+' cannot be applied to null and number at position 5"),
    ("{1} + {2}", "Operator '+' cannot be applied to array and array at position 4"),
    ("'a' + {1}", "Cannot use an array as a string operand at position 4"),
    ("'a' + app", "Cannot use an object as a string operand at position 4"),
    ("1 / 0", "Division by zero at position 2"),
    ("1 % 0", "Division by zero at position 2"),
    ("1.5 / 0", "Division by zero at position 4"),
    ("9223372036854775807 + 1", "Numeric overflow at position 20"),
    ("1e300 * 1e300", "Numeric overflow at position 6"),
    ("-'a'", "Unary '-' needs a number, got string at position 0"),
    ("!'a'", "'!' needs a boolean, got string at position 0"),
    ("!null", "'!' needs a boolean, got null at position 0"),
    ("1 AND true", "'AND' needs booleans, got number at position 2"),
    ("true AND 'x'", "'AND' needs booleans, got string at position 5"),
    ("false OR null", "'OR' needs booleans, got null at position 6"),
    ("null ? 1 : 2", "The condition of '?:' must be a boolean, got null at position 5"),
    ("'a' < 1", "Cannot compare string with number at position 4"),
    ("{1} < {2}", "Cannot compare array with array at position 4"),
    ("String.len({1})", "String.len: expects a string, got array at position 0"),
    ("String.substringBefore('a', null)", "String.substringBefore: the search string must not be null at position 0"),
    ("String.substring('abc', 'x', 1)", "String.substring: the start index must be an integer, got string at position 0"),
    ("String.substring('abc', 1.5, 2)", "String.substring: the start index must be an integer, got number at position 0"),
    ("Arrays.get({1}, 1)", "Arrays.get: position out of range at position 0"),
    ("Arrays.get({1}, -1)", "Arrays.get: position out of range at position 0"),
    ("Arrays.add(app, 1)", "Arrays.add: expects an array, got object at position 0"),
    ("Convert.toInt('12.5')", "Convert.toInt: the string is not an integer at position 0"),
    ("Convert.toInt('abc')", "Convert.toInt: the string is not an integer at position 0"),
    ("Convert.toInt(null)", "Convert.toInt: expects a string or a number, got null at position 0"),
    ("Convert.toInt(3000000000)", "Convert.toInt: the value is outside the integer range at position 0"),
    ("Convert.toNum('x1')", "Convert.toNum: the string is not a number at position 0"),
    ("Convert.toNum(true)", "Convert.toNum: expects a string or a number, got boolean at position 0"),
    ("Groups.startsWith('OKTA', 'IT', 0 + 101)", "Groups.startsWith: the limit must be between 1 and 100 at position 0"),
    ("Groups.startsWith(user.nope, 'IT', 10)", "Groups.startsWith: the app must not be null at position 0"),
    ("getFilteredGroups({'g1'}, '' + 'group.name +', 10)",
     "getFilteredGroups: invalid group expression (Unexpected end of expression at position 12) at position 0"),
    ("getFilteredGroups({'g1'}, '' + 'group.nope.x', 10)",
     "getFilteredGroups: the group expression failed (Cannot read property 'x' of null at position 11) at position 0"),
    ("isMemberOfGroupNameRegex('' + '(a*)*')",
     "isMemberOfGroupNameRegex: a repeated group must not hold another quantifier or an alternation at position 0"),
    ("1 + String.len({})", "String.len: expects a string, got array at position 4"),
])
def test_runtime_errors(text, message):
    with pytest.raises(ExpressionEvaluationError) as raised:
        ev(text, NO_USER if text.startswith(("user.", "appuser.")) else CTX)
    assert str(raised.value) == message


def test_runtime_error_messages_never_carry_values():
    secret = "s3cr3t-value"
    ctx = EvalContext(user={"a": secret, "n": secret + "1"}, groups=(Group("gid", secret),))
    for text in ["Convert.toInt(user.a)", "Convert.toNum(user.a)", "user.a - 1", "user.a.x", "user.a < 1",
                 "!user.a", "user.a ? 1 : 2", "user.a AND true", "Arrays.get(user.a, 5)", "String.len({user.a})",
                 "Groups.startsWith(user.a, user.a, user.a)", "isMemberOfGroupNameRegex(user.a + '(a+)+')"]:
        with pytest.raises(ExpressionEvaluationError) as raised:
            ev(text, ctx)
        assert secret not in str(raised.value), text


def test_unexpected_python_errors_become_evaluation_errors():
    from chalicelib.claims.expression.nodes import Call, Expression
    from chalicelib.claims.functions import Function

    def broken(_args, _ctx):
        raise TypeError("internal detail")

    expression = Expression("x()", Call(Function("x", broken, 0, 0), (), 0), frozenset(), frozenset())
    with pytest.raises(ExpressionEvaluationError, match=r"^Evaluation failed \(TypeError\)$"):
        expression.evaluate(CTX)


def test_deepest_accepted_expression_evaluates_on_a_small_stack():
    """MAX_DEPTH bounds the evaluator's recursion too: the deepest expression the parser accepts, every level
    using every kind of node, evaluates with only 350 frames to spare."""
    import inspect
    import sys

    text = "true"
    while True:
        candidate = f"(!(-1+2*String.len(Arrays.toCsvString({{1}}))==1&&app.x==null&&{text})||false?true:false)"
        try:
            parse(candidate)
        except Exception:
            break
        text = candidate
    with pytest.raises(ExpressionSyntaxError, match="nested more than"):
        parse(candidate)
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(len(inspect.stack(0)) + 350)
    try:
        assert isinstance(ev(text), bool)
    finally:
        sys.setrecursionlimit(limit)


def test_double_formatting_matches_java():
    from chalicelib.claims.values import double_to_string

    assert [double_to_string(v) for v in (1.0, 0.5, 100.0, 1e7, 1.5e-3, 1e-3, -2.0, 0.0, -0.0, math.inf, math.nan)] \
        == ["1.0", "0.5", "100.0", "1.0E7", "0.0015", "0.001", "-2.0", "0.0", "-0.0", "Infinity", "NaN"]
