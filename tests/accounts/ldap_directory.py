"""A throwaway OpenLDAP server (python-ldap's slapdtest) holding a small company directory."""

import os
import shutil
import tempfile

from slapdtest import SlapdObject

SUFFIX = "dc=corp,dc=example"
PEOPLE = f"ou=people,{SUFFIX}"
GROUPS = f"ou=groups,{SUFFIX}"
SERVICE_DN = f"cn=Manager,{SUFFIX}"
PLACEHOLDER = f"cn=placeholder,{SUFFIX}"
SERVICE_PASSWORD = "directory-admin-secret"
USER_PASSWORD = "Directory-Pass-2026"


class CompanyDirectory(SlapdObject):
    suffix = SUFFIX
    root_cn = "Manager"
    root_pw = SERVICE_PASSWORD
    openldap_schema_files = ("core.ldif", "cosine.ldif", "inetorgperson.ldif", "nis.ldif")

    def person_dn(self, uid: str) -> str:
        return f"uid={uid},{PEOPLE}"

    def group_dn(self, cn: str) -> str:
        return f"cn={cn},{GROUPS}"

    def add_person(
        self,
        uid: str,
        *,
        given: str,
        sn: str,
        mail: str,
        number: str = "",
        title: str = "",
        department: str = "",
        manager_uid: str = "",
        locality: str = "",
    ) -> None:
        lines = [
            f"dn: {self.person_dn(uid)}",
            "objectClass: inetOrgPerson",
            f"uid: {uid}",
            f"cn: {given} {sn}",
            f"givenName: {given}",
            f"sn: {sn}",
            f"mail: {mail}",
            f"userPassword: {USER_PASSWORD}",
        ]
        for attribute, value in (
            ("employeeNumber", number),
            ("title", title),
            ("departmentNumber", department),
            ("l", locality),
        ):
            if value:
                lines.append(f"{attribute}: {value}")
        if manager_uid:
            lines.append(f"manager: {self.person_dn(manager_uid)}")
        self.ldapadd("\n".join(lines) + "\n")

    def add_group(self, cn: str, member_uids: list[str]) -> None:
        # groupOfNames needs one member at least; the placeholder keeps emptied groups valid.
        members = "\n".join(
            f"member: {dn}" for dn in [PLACEHOLDER, *map(self.person_dn, member_uids)]
        )
        self.ldapadd(f"dn: {self.group_dn(cn)}\nobjectClass: groupOfNames\ncn: {cn}\n{members}\n")

    def add_member(self, cn: str, uid: str) -> None:
        self.ldapmodify(
            f"dn: {self.group_dn(cn)}\nchangetype: modify\nadd: member\n"
            f"member: {self.person_dn(uid)}\n"
        )

    def remove_member(self, cn: str, uid: str) -> None:
        self.ldapmodify(
            f"dn: {self.group_dn(cn)}\nchangetype: modify\ndelete: member\n"
            f"member: {self.person_dn(uid)}\n"
        )

    def remove_person(self, uid: str) -> None:
        self.ldapdelete(self.person_dn(uid))


def start_directory() -> tuple[CompanyDirectory, str]:
    """Start slapd with the base tree; returns the server and its run folder."""
    if not shutil.which("slapd", path="/usr/sbin:/usr/bin:" + os.environ.get("PATH", "")):
        raise RuntimeError("slapd is missing: apt-get install slapd ldap-utils (make test does)")
    workdir = tempfile.mkdtemp(prefix="ess-slapd-")
    # slapdtest puts its run folder under TMPDIR, which defaults to the current directory.
    server_class = type("RunDirectory", (CompanyDirectory,), {"TMPDIR": workdir})
    server = server_class()
    server.start()
    server.ldapadd(
        f"dn: {SUFFIX}\nobjectClass: dcObject\nobjectClass: organization\ndc: corp\no: Corp\n\n"
        f"dn: {PEOPLE}\nobjectClass: organizationalUnit\nou: people\n\n"
        f"dn: {GROUPS}\nobjectClass: organizationalUnit\nou: groups\n"
    )
    return server, workdir
