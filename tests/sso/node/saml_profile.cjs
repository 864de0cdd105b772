// saml-idp attribute config (`--configFile`) for the SSO test rigs.
//
// saml-idp `require`s this module once and reads `config.user` on every request, so `user`
// is a getter that reads the JSON file named by SAML_IDP_PROFILE again each time: a test can
// change the profile between two sign-ins by rewriting that file (SamlIdp.set_profile).
//
// The file: {"nameId": "...", "nameIdFormat": "...", "attributes": {"<Name>": value, ...}}.
// Each attribute becomes a <saml:Attribute Name="<Name>">; a list value becomes a
// multi-valued attribute (an empty list leaves the attribute out). `metadata`, the list of
// attributes saml-idp shows on its form and maps into the assertion, is the same array
// object saml-idp captured at start-up, refilled in place on each read.
'use strict';

const fs = require('node:fs');

const profilePath = process.env.SAML_IDP_PROFILE;
if (!profilePath) {
  throw new Error('SAML_IDP_PROFILE (the path of the profile JSON file) is not set');
}

const EMAIL_FORMAT = 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress';

// saml-idp turns a multi-valued attribute into values with `value.split(',')`, and a form
// post stores the posted string in its place. This keeps real lists (values may contain
// commas as long as the form field is posted back unchanged; an empty list gives no attribute
// rather than one empty value) and parses a changed posted "a, b" string into ["a", "b"].
class MultiValue {
  constructor(values) {
    this.values = values;
  }

  split() {
    return this.values.slice();
  }

  toString() {
    return this.values.join(',');
  }
}

function multiValue(value) {
  if (value instanceof MultiValue) {
    return value;
  }
  const list = Array.isArray(value) ? value : String(value ?? '').split(',');
  return new MultiValue(list.map((item) => String(item).trim()).filter(Boolean));
}

const metadata = [];

function loadUser() {
  const profile = JSON.parse(fs.readFileSync(profilePath, 'utf8'));
  const user = {
    userName: profile.nameId,
    nameIdFormat: profile.nameIdFormat || EMAIL_FORMAT,
  };
  metadata.length = 0;
  for (const [name, value] of Object.entries(profile.attributes || {})) {
    const multi = Array.isArray(value);
    metadata.push({
      id: name,
      optional: true,
      displayName: name,
      description: '',
      multiValue: multi,
    });
    if (multi) {
      let current = multiValue(value);
      Object.defineProperty(user, name, {
        enumerable: true,
        get: () => current,
        set: (posted) => {
          // The form posts every field back; an unchanged value keeps the real list.
          if (String(posted) !== String(current)) {
            current = multiValue(posted);
          }
        },
      });
    } else {
      user[name] = value;
    }
  }
  return user;
}

module.exports = {
  get user() {
    return loadUser();
  },
  metadata,
};
