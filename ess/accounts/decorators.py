"""Step-up before sensitive changes (role grants now; bank details and pay data later)."""

from allauth.account.decorators import reauthentication_required

# The person confirms their password (or second factor) if they have not done so within
# ESS_REAUTHENTICATION_TIMEOUT seconds; the suspended POST then resumes. People who sign in
# only through the company's identity provider have nothing to confirm here and rely on the
# provider's own session and factors.
sensitive_change = reauthentication_required
