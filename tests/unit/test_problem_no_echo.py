"""A 400 for a bad query value names the parameter, never the value (README: values are
never echoed)."""

from litestar.exceptions import ValidationException

from app.problems import validation_problem


def test_validation_problem__an_invalid_enum_query_value_is_not_echoed():
    exc = ValidationException(
        detail="Validation failed for GET /v1/jobs",
        extra=[
            {
                "message": "Invalid enum value 'jane.roe.pii@corp-mail.example'",
                "key": "state",
                "source": "query",
            }
        ],
    )

    problem = validation_problem(exc)

    assert problem.status_code == 400
    assert problem.extra["errors"] == [
        {"field": "state", "message": "not one of the allowed values"}
    ]
    assert "jane.roe" not in str(problem.detail) + str(problem.extra)
