"""visit index by patient, status and time, for the board's count in an area

Revision ID: f1d9cbb9b22b
Revises: 3c1d9a7e5b20
Create Date: 2026-11-29 15:34:03.040437

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'f1d9cbb9b22b'
down_revision = '3c1d9a7e5b20'
branch_labels = None
depends_on = None


def upgrade():
    # The new index leads with patient_id, so it also serves the foreign key that
    # ix_visit_patient_id served alone.
    with op.batch_alter_table('visit', schema=None) as batch_op:
        batch_op.create_index(
            'ix_visit_patient_id_status',
            ['patient_id', 'status', 'starts_at', 'request_id'],
            unique=False,
        )
        batch_op.drop_index('ix_visit_patient_id')


def downgrade():
    with op.batch_alter_table('visit', schema=None) as batch_op:
        batch_op.create_index('ix_visit_patient_id', ['patient_id'], unique=False)
        batch_op.drop_index('ix_visit_patient_id_status')
